package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gridbot/models"
)

// Pinger is something whose reachability decides readiness: the database, Redis.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps are what the HTTP surfaces need, built in cmd.
type Deps struct {
	Log          *slog.Logger
	Registry     *prometheus.Registry // metrics registry, also served at /metrics
	Ready        map[string]Pinger    // checked by /readyz, by name
	MaxBodyBytes int64                // largest request body accepted
	Info         map[string]string    // shown by /healthz (version, mode)
}

// New builds the gin engine with the middleware every route shares.
func New(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	m := newHTTPMetrics(d.Registry)
	r.Use(recovery(d.Log), m.middleware(), bodyLimit(d.MaxBodyBytes, d.Log))
	r.GET("/healthz", healthz(d.Info))
	r.GET("/readyz", readyz(d.Ready, d.Log))
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{Registry: d.Registry})))
	r.NoRoute(func(c *gin.Context) {
		writeError(c, d.Log, models.Errorf(models.ENotFound, "no such path"))
	})
	return r
}

// healthz answers 200 while the process is up.
func healthz(info map[string]string) gin.HandlerFunc {
	return func(c *gin.Context) {
		body := gin.H{"status": "ok"}
		for k, v := range info {
			body[k] = v
		}
		c.JSON(http.StatusOK, body)
	}
}

// readyz answers 200 when every dependency answers within 2 s, 503 naming the ones that do not.
func readyz(deps map[string]Pinger, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		checks := gin.H{}
		ok := true
		for name, p := range deps {
			if err := p.Ping(ctx); err != nil {
				ok = false
				checks[name] = "unreachable"
				log.WarnContext(ctx, "readiness check failed", "dependency", name, "err", err)
				continue
			}
			checks[name] = "ok"
		}
		status, word := http.StatusOK, "ready"
		if !ok {
			status, word = http.StatusServiceUnavailable, "not ready"
		}
		c.JSON(status, gin.H{"status": word, "checks": checks})
	}
}

// recovery turns a panic into a logged 500 instead of a dropped connection.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, rec any) {
		log.ErrorContext(c.Request.Context(), "panic in handler", "path", c.FullPath(), "panic", rec)
		writeError(c, log, models.Errorf(models.EInternal, "internal error"))
	})
}

// bodyLimit refuses bodies over max bytes: at once by Content-Length, else while reading.
func bodyLimit(max int64, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		if max <= 0 {
			c.Next()
			return
		}
		if c.Request.ContentLength > max {
			writeError(c, log, models.Errorf(models.ETooLarge, "request body over %d bytes", max))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}

// httpMetrics counts requests and their durations by route and status.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newHTTPMetrics registers the HTTP metrics.
func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gridbot_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gridbot_http_request_duration_seconds", Help: "HTTP request duration by route.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// middleware observes every request.
func (m *httpMetrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	}
}
