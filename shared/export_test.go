package shared

import "github.com/redis/go-redis/v9"

// PipelinerOf returns a lent pipeline's go-redis pipeline, for tests that queue their own commands.
func PipelinerOf(p Pipe) redis.Pipeliner { return p.p }
