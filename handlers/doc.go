// Package handlers holds gridbot's HTTP surfaces on gin: health and readiness, metrics, and (in
// later files) the WeChat callbacks and the county platform API. Handlers reach the database and
// Redis only through the interfaces they are given, and write every error through one function.
package handlers
