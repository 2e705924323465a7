// Package notify delivers the outbox: a bounded pool of workers claims due notification intents,
// renders them in Chinese and sends them, with retries: to staff with a WeCom userid on WeCom
// first, else (or when WeCom fails) through the Official Account: a customer-service text while
// the person's 48-hour window is open and its count (5 per message of theirs) not spent, else a
// template message, within WeChat's daily quotas (counted by wechat.Quota).
package notify

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"
)

// ServiceWindow is how long after a person's last message a customer-service message reaches them.
const ServiceWindow = 48 * time.Hour

// Config tunes delivery. Zero fields take the defaults of WithDefaults. The settings it maps to
// (read by cmd, not by this package):
//
//	Workers      GRIDBOT_NOTIFY_WORKERS       (8)
//	Batch        GRIDBOT_NOTIFY_BATCH         (50 intents claimed by a worker at once)
//	PollInterval GRIDBOT_NOTIFY_POLL          (1s)
//	Lease        GRIDBOT_NOTIFY_LEASE         (2m: a crashed worker's intents are due again after it)
//	SendTimeout  GRIDBOT_NOTIFY_SEND_TIMEOUT  (15s per intent, token refresh and retry included)
//	BackoffBase  GRIDBOT_NOTIFY_BACKOFF_BASE  (5s)
//	BackoffMax   GRIDBOT_NOTIFY_BACKOFF_MAX   (30m)
//	MaxAttempts  GRIDBOT_NOTIFY_MAX_ATTEMPTS  (10; then the intent is failed)
//	Templates    GRIDBOT_WECHAT_TEMPLATES     ("case_status=TEMPLATE_ID,case_received=...")
//	TemplateFields GRIDBOT_WECHAT_TEMPLATE_FIELDS (see ParseTemplateFields)
//	CaseURLBase  GRIDBOT_NOTIFY_CASE_URL      (a tap on a message opens CaseURLBase + tracking number)
//	Owner        (this instance's name in claims; default host-pid-random)
type Config struct {
	Workers      int
	Batch        int
	PollInterval time.Duration
	Lease        time.Duration
	SendTimeout  time.Duration
	BackoffBase  time.Duration
	BackoffMax   time.Duration
	MaxAttempts  int
	Templates    map[string]string // notice kind → template id
	// TemplateFields are the typed fields of each kind's category template; a kind without
	// them gets the classic first, keyword1…, remark.
	TemplateFields TemplateFields
	CaseURLBase    string
	Owner          string
}

// WithDefaults returns the config with every zero field set to its default.
func (c Config) WithDefaults() Config {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.Batch <= 0 {
		c.Batch = 50
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
	def(&c.PollInterval, time.Second)
	def(&c.Lease, 2*time.Minute)
	def(&c.SendTimeout, 15*time.Second)
	def(&c.BackoffBase, 5*time.Second)
	def(&c.BackoffMax, 30*time.Minute)
	if c.Owner == "" {
		c.Owner = defaultOwner()
	}
	return c
}

// validate checks what defaults cannot fix: a lease must outlast a batch of sends.
func (c Config) validate() error {
	if c.Lease < c.SendTimeout*2+maxInlineWait {
		return fmt.Errorf("notify config: lease %s must be at least twice the send timeout %s plus %s", c.Lease, c.SendTimeout, maxInlineWait)
	}
	if c.BackoffMax < c.BackoffBase {
		return errors.New("notify config: backoff max is below backoff base")
	}
	return nil
}

// MissingTemplates returns, sorted, the kinds among kinds that have no template id configured:
// start-up reports them, since such notices cannot reach a person outside the 48-hour window.
func (c Config) MissingTemplates(kinds []string) []string {
	var out []string
	for _, k := range kinds {
		if c.Templates[k] == "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// defaultOwner names this process in claims: host, pid and a random suffix.
func defaultOwner() string {
	host, err := os.Hostname()
	if err != nil {
		host = "gridbot"
	}
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rand.Text()[:8])
}
