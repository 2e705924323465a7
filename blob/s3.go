package blob

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"gridbot/models"
)

// S3Config says where the object store is and how to sign requests to it.
type S3Config struct {
	Endpoint  string // http(s)://host[:port]; https uses TLS
	Bucket    string
	AccessKey string
	SecretKey string
	Region    string            // empty: asked of the server
	Prefix    string            // put before every key, such as "county-a/"; empty for none
	Attempts  int               // tries per request; 0: minio-go's default (10)
	Transport http.RoundTripper // nil: minio-go's default
}

// S3 keeps blobs as objects of one bucket of an S3-compatible store (MinIO, OSS, COS, S3).
type S3 struct {
	client *minio.Client
	bucket string
	prefix string
}

// NewS3 returns a store over cfg's bucket; it makes no request (Ping checks the bucket).
func NewS3(cfg S3Config) (*S3, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("blob: S3 endpoint must be an http(s) URL with a host")
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:     u.Scheme == "https",
		Region:     cfg.Region,
		Transport:  cfg.Transport,
		MaxRetries: cfg.Attempts,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: S3 client: %w", err)
	}
	return &S3{client: client, bucket: cfg.Bucket, prefix: normalPrefix(cfg.Prefix)}, nil
}

// normalPrefix trims slashes and ends a non-empty prefix with one.
func normalPrefix(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return p + "/"
}

// object is key's object name.
func (s *S3) object(key string) string { return s.prefix + key }

// Put uploads the blob; objects of unknown size (size < 0) are sent in parts.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	_, err := s.client.PutObject(ctx, s.bucket, s.object(key), r, size,
		minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	return nil
}

// Get opens the object; it is stat-ed first so that a missing key is told before any byte is read.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := checkKey(key); err != nil {
		return nil, Info{}, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.object(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, s.fail("get", key, err)
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, Info{}, s.fail("get", key, err)
	}
	return obj, Info{Size: st.Size, ContentType: st.ContentType}, nil
}

// Stat describes the object.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := checkKey(key); err != nil {
		return Info{}, err
	}
	st, err := s.client.StatObject(ctx, s.bucket, s.object(key), minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.fail("stat", key, err)
	}
	return Info{Size: st.Size, ContentType: st.ContentType}, nil
}

// Delete removes the object; S3 answers a missing one with success.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.object(key), minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// Ping checks that the bucket exists and the credentials may see it.
func (s *S3) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("blob: bucket %s: %w", s.bucket, err)
	}
	if !ok {
		return models.Errorf(models.EUnavailable, "bucket %s does not exist", s.bucket)
	}
	return nil
}

// fail turns S3's missing-key answers into models.ENotFound and wraps other errors.
func (s *S3) fail(op, key string, err error) error {
	if r := minio.ToErrorResponse(err); r.Code == minio.NoSuchKey || r.StatusCode == http.StatusNotFound && r.Code != minio.NoSuchBucket {
		return notFound(key, err)
	}
	return fmt.Errorf("blob: %s %s: %w", op, key, err)
}
