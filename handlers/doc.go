// Package handlers holds gridbot's HTTP surfaces on gin: health and readiness, metrics, the WeChat
// and WeCom callbacks (thin glue: the protocol is package wechat's) and the county platform API.
// Handlers reach the database and Redis only through the interfaces they are given, and map every
// error code to its HTTP status through one table.
package handlers
