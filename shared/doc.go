// Package shared keeps the state all instances share, in Redis.
package shared
