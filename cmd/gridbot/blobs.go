package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gridbot/blob"
	"gridbot/config"
	"gridbot/handlers"
)

// openBlobs opens the media store GRIDBOT_MEDIA_STORE names; an S3 bucket must answer before the
// start goes on.
func openBlobs(ctx context.Context, cfg config.Config, log *slog.Logger) (blob.Store, error) {
	if cfg.MediaStore != config.MediaStoreS3 {
		return blob.NewDir(cfg.DataDir)
	}
	s3, err := blob.NewS3(blob.S3Config{Endpoint: cfg.S3Endpoint, Bucket: cfg.S3Bucket, AccessKey: cfg.S3AccessKey,
		SecretKey: cfg.S3SecretKey, Region: cfg.S3Region, Prefix: cfg.S3Prefix})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := s3.Ping(ctx); err != nil {
		return nil, fmt.Errorf("media store: %w", err)
	}
	log.Info("media are kept in an S3-compatible bucket", "endpoint", cfg.S3Endpoint, "bucket", cfg.S3Bucket,
		"prefix", cfg.S3Prefix)
	return s3, nil
}

// readiness lists what /readyz checks: the database, Redis, and a shared media bucket.
func (a *App) readiness() map[string]handlers.Pinger {
	deps := map[string]handlers.Pinger{"database": a.store, "redis": a.redis}
	if a.cfg.MediaStore == config.MediaStoreS3 {
		deps["media"] = quickPing{a.blobs, time.Second}
	}
	return deps
}

// quickPing bounds a check so that a store that does not answer (minio-go retries until the
// deadline) leaves /readyz's other checks their share of its 2 s.
type quickPing struct {
	p     handlers.Pinger
	limit time.Duration
}

// Ping runs the check within the limit.
func (q quickPing) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, q.limit)
	defer cancel()
	return q.p.Ping(ctx)
}
