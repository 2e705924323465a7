// Package shared keeps the state that all gridbot instances share, in Redis: the connection (a
// real server or the embedded one), shared pipelines and batching, locks, rate limits, the
// token and quota caches, the inbox's admission, and the bot's conversations, cached people and
// staff marks. It is the one package that imports go-redis; the others reach Redis
// through the ports it exposes.
package shared
