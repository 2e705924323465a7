package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gridbot/bot"
	"gridbot/config"
	"gridbot/county"
	"gridbot/handlers"
	"gridbot/inbox"
	"gridbot/media"
	"gridbot/models"
	"gridbot/notify"
	"gridbot/shared"
	"gridbot/wechat"
	"gridbot/wechatsim"
	"gridbot/workcal"
	"gridbot/workflow"
)

// The sandbox's documented credentials: used when no WeChat credentials are configured, with an
// in-process simulator of WeChat's API. They reach nothing outside this process.
const (
	SandboxAppID      = "wxsandbox00000001"
	SandboxAppSecret  = "gridbot-sandbox-secret"
	SandboxToken      = "gridbot-sandbox-token"
	SandboxCorpID     = "wwsandbox00000001"
	SandboxCorpSecret = "gridbot-sandbox-corp-secret"
	SandboxAgentID    = "1000002"
	SandboxWeComToken = "gridbot-sandbox-wecom-token"
	sandboxAPIPath    = "/sandbox/wechat-api"
)

// SandboxAESKey is the sandbox's EncodingAESKey (43 characters).
func SandboxAESKey() string {
	return strings.TrimRight(base64.StdEncoding.EncodeToString([]byte("gridbot-sandbox-aes-key-32bytes!")), "=")
}

// wechatCreds are the Official Account credentials in use.
type wechatCreds struct {
	appID, secret, token, aesKey, apiBase string
}

// gateway is the WeChat side of the App: the client, the inbox, the bot and the media fetcher.
type gateway struct {
	sandbox    *wechatsim.API // nil unless in sandbox mode
	creds      wechatCreds
	account    *wechat.Account
	quota      *wechat.Quota // WeChat's window and daily quotas, counted in Redis
	inbox      *inbox.Service
	fetcher    *media.Fetcher
	bot        *bot.Bot
	workflow   *workflow.Workflow
	cases      *workflow.Service // the workflow as the bot and the API use it
	supervisor *workflow.Supervisor
	supervised chan struct{} // closed when the supervision loop has stopped
	delivery   *notify.Dispatcher
	wecom      *wechat.WeCom   // nil without WeCom credentials (outside the sandbox)
	batch      *shared.Batcher // Redis round trips shared by the bot, the inbox and the rate limiter
	log        *slog.Logger
}

// start runs the background loops: inbox retries and supervision, until ctx is done.
func (g *gateway) start(ctx context.Context) {
	g.inbox.Start(ctx, 30*time.Second)
	g.delivery.Start(ctx)
	g.supervised = make(chan struct{})
	go func() {
		defer close(g.supervised)
		g.supervisor.Run(ctx)
	}()
}

// openGateway builds the WeChat gateway once the listener's address is known: the account, then
// the delivery of notifications, then the conversations that write them.
func (a *App) openGateway(ctx context.Context) error {
	g := &gateway{log: a.log}
	a.gateway = g
	g.creds = a.wechatCreds()
	if !a.cfg.WeChatConfigured() {
		g.sandbox = wechatsim.NewAPI(wechatsim.APIConfig{AppID: SandboxAppID, AppSecret: SandboxAppSecret,
			CorpID: SandboxCorpID, CorpSecret: SandboxCorpSecret, AgentID: SandboxAgentID})
		a.log.Warn("SANDBOX MODE: no WeChat credentials configured; gridbot talks to its built-in WeChat simulator at " +
			g.creds.apiBase + " and no real WeChat user can reach it. Set GRIDBOT_WECHAT_APPID, _SECRET and _TOKEN for production.")
	}
	wechat.QuietLibraryLog(a.log)
	workBase := a.cfg.WeComAPIBase
	if g.sandbox != nil {
		workBase = g.creds.apiBase // the simulator serves both APIs
	}
	client, err := wechat.InstallHTTPClient(g.creds.apiBase, workBase, 10*time.Second)
	if err != nil {
		return err
	}
	if g.quota, err = wechat.NewQuota(shared.NewQuotaCounter(a.redis.Client), wechat.QuotaConfig{AppID: g.creds.appID,
		KeyPrefix: a.cfg.RedisKeyPrefix + "wechat:", Location: a.cfg.Location(), Log: a.log, Registry: a.registry,
		Daily: map[wechat.QuotaAPI]int64{wechat.QuotaCustomer: a.cfg.WeChatQuotaCustomer,
			wechat.QuotaTemplate: a.cfg.WeChatQuotaTemplate, wechat.QuotaToken: a.cfg.WeChatQuotaToken}}); err != nil {
		return err
	}
	acfg := wechat.AccountConfig{AppID: g.creds.appID, AppSecret: g.creds.secret,
		Token: g.creds.token, AESKey: g.creds.aesKey, HTTPClient: client, Log: a.log, Quota: g.quota,
		Cache: shared.NewTokenCache(a.redis.Client, a.cfg.RedisKeyPrefix+"wechat:")}
	if g.account, err = wechat.NewAccount(acfg); err != nil {
		return err
	}
	if err := a.openDelivery(g, acfg); err != nil {
		return err
	}
	return a.openConversations(ctx, g)
}

// wechatCreds returns the configured credentials, or the sandbox's.
func (a *App) wechatCreds() wechatCreds {
	if a.cfg.WeChatConfigured() {
		return wechatCreds{a.cfg.WeChatAppID, a.cfg.WeChatSecret, a.cfg.WeChatToken, a.cfg.WeChatAESKey, a.cfg.WeChatAPIBase}
	}
	_, port, _ := net.SplitHostPort(a.listener.Addr().String())
	return wechatCreds{SandboxAppID, SandboxAppSecret, SandboxToken, SandboxAESKey(),
		"http://127.0.0.1:" + port + sandboxAPIPath}
}

// openConversations builds, in order, the media fetcher, the county snapshot, the workflow over
// the dispatcher and its Service, the supervision loop, the bot and the inbox.
func (a *App) openConversations(ctx context.Context, g *gateway) error {
	periods, err := workcal.ParsePeriods(a.cfg.WorkingHours)
	if err != nil {
		return err
	}
	cal, err := workcal.New(workcal.Config{Location: a.cfg.Location(), Periods: periods})
	if err != nil {
		return err
	}
	g.fetcher = media.New(media.Config{Blobs: a.blobs, Workers: a.cfg.MediaWorkers}, a.store,
		func(ctx context.Context, _ models.Channel, id string) ([]byte, string, error) {
			m, err := g.account.DownloadMedia(ctx, id)
			return m.Data, m.ContentType, err
		}, a.log)
	if err := g.fetcher.Start(ctx); err != nil {
		return err
	}
	counties, err := a.openCounty(ctx)
	if err != nil {
		return err
	}
	g.workflow = workflow.New(a.store, a.cfg.Location(), nil, cal, counties.County, g.delivery)
	g.cases = workflow.NewService(g.workflow, a.store, counties)
	g.supervisor, err = workflow.NewSupervisor(g.workflow, a.store, cal, a.redis,
		workflow.SupervisorConfig{KeyPrefix: a.cfg.RedisKeyPrefix}, nil, a.log)
	if err != nil {
		return err
	}
	bcfg := bot.Config{KeyPrefix: a.cfg.RedisKeyPrefix, Idle: a.cfg.ConversationIdle,
		BindFailuresPerHour: a.cfg.BindFailuresPerHour, Location: a.cfg.Location(),
		DuplicateRadius: float64(a.cfg.DuplicateRadiusMeters), CaseURL: a.cfg.NotifyCaseURL}
	conversations := shared.NewConversations(a.redis.Client, g.batch,
		shared.ConversationConfig{KeyPrefix: a.cfg.RedisKeyPrefix, Keep: bot.KeepConversations(bcfg)})
	g.bot = bot.New(bcfg, counties, g.cases, g.cases, g.fetcher, cal, conversations, a.log)
	g.inbox = inbox.New(inbox.Config{Budget: a.cfg.WeChatReplyBudget, Workers: a.cfg.InboxWorkers,
		BusyText: bot.BusyText()}, a.store,
		shared.NewInbox(a.redis.Client, g.batch, shared.InboxConfig{KeyPrefix: a.cfg.RedisKeyPrefix,
			Window: a.cfg.WeChatTimestampWindow}),
		g.bot, notify.NewLateSender(g.account, g.quota, g.wecom), a.log)
	return nil
}

// openCounty loads the county snapshot that the bot and the workflow share, reloaded when the
// people generation in Redis changes (an import, a binding).
func (a *App) openCounty(ctx context.Context) (*county.Cache, error) {
	rdb, prefix := a.redis.Client, a.cfg.RedisKeyPrefix
	return county.New(ctx, a.store, county.Config{Radius: float64(a.cfg.PlaceRadiusMeters),
		Generation: func(ctx context.Context) (string, error) { return shared.PeopleGeneration(ctx, rdb, prefix) },
		OnError: func(err error) {
			a.log.Warn("reloading the county snapshot failed; using the last one", "err", err)
		}})
}

// register mounts the callback (and, in sandbox mode, the simulator) on the engine.
func (g *gateway) register(a *App, engine *gin.Engine) {
	cb := &handlers.WeChatCallback{Token: g.creds.token, Window: a.cfg.WeChatTimestampWindow,
		MaxBody: a.cfg.WeChatMaxBodyBytes, Account: g.account, Gateway: g.inbox, Log: a.log, Now: time.Now}
	if g.sandbox != nil {
		mountSandbox(engine, sandboxAPIPath, g.sandbox)
	}
	cb.Register(engine)
	if wc := g.wecomCallback(a); wc != nil {
		wc.Register(engine)
	}
}

// wecomCallback builds the WeCom callback when WeCom is configured with its callback token and
// key (always in the sandbox), or nil.
func (g *gateway) wecomCallback(a *App) *handlers.WeComCallback {
	cb := &handlers.WeComCallback{CorpID: a.cfg.WeComCorpID, Token: a.cfg.WeComToken, AESKey: a.cfg.WeComAESKey,
		Window: a.cfg.WeChatTimestampWindow, MaxBody: a.cfg.WeChatMaxBodyBytes, Gateway: g.inbox, Log: a.log, Now: time.Now}
	if g.sandbox != nil {
		cb.CorpID, cb.Token, cb.AESKey = SandboxCorpID, SandboxWeComToken, SandboxAESKey()
	}
	if cb.CorpID == "" || cb.Token == "" || cb.AESKey == "" {
		return nil
	}
	return cb
}

// openDelivery builds the notification dispatcher over the outbox: the Official Account, WeCom
// when configured (always in the sandbox), and rate limits shared through Redis.
func (a *App) openDelivery(g *gateway, acfg wechat.AccountConfig) error {
	g.batch = shared.NewBatcher(a.redis.Client, 5*time.Second)
	limiter := shared.NewRateLimiter(a.redis.Client, a.cfg.RedisKeyPrefix+"ratelimit:",
		shared.RateConfig{Global: a.cfg.NotifyRateGlobal, PerRecipient: a.cfg.NotifyRatePerPerson, Batch: g.batch})
	deps := notify.Deps{Store: a.store, Official: g.account, Log: a.log, Registry: a.registry,
		PeopleChanged: bot.PeopleRetirer(func(ctx context.Context) error {
			return shared.ForgetPeople(ctx, a.redis.Client, a.cfg.RedisKeyPrefix)
		}, a.log), Limiter: limiter, Quota: g.quota}
	corp, secret, agent := a.cfg.WeComCorpID, a.cfg.WeComSecret, a.cfg.WeComAgentID
	if g.sandbox != nil {
		corp, secret, agent = SandboxCorpID, SandboxCorpSecret, SandboxAgentID
	}
	if corp != "" && secret != "" && agent != "" {
		wecom, err := wechat.NewWeCom(wechat.WeComConfig{CorpID: corp, CorpSecret: secret, AgentID: agent, Cache: acfg.Cache})
		if err != nil {
			return err
		}
		g.wecom, deps.WeCom = wecom, wecom
	}
	templates, err := config.ParseTemplates(a.cfg.WeChatTemplates)
	if err != nil {
		return err
	}
	if g.sandbox != nil && len(templates) == 0 {
		for _, k := range notify.Kinds() {
			templates[k] = "SANDBOX_TEMPLATE_" + k // the simulator accepts any template id
		}
	}
	fields, err := notify.ParseTemplateFields(a.cfg.WeChatTemplateFields)
	if err != nil {
		return templateFieldsError(err)
	}
	ncfg := notify.Config{Workers: a.cfg.NotifyWorkers, Templates: templates, TemplateFields: fields,
		CaseURLBase: a.cfg.NotifyCaseURL}
	if missing := ncfg.MissingTemplates(notify.Kinds()); len(missing) > 0 {
		a.log.Warn("no template message configured for these notification kinds: people outside WeChat's 48-hour window will not get them; set GRIDBOT_WECHAT_TEMPLATES",
			"kinds", missing)
	}
	g.delivery, err = notify.New(ncfg, deps)
	return err
}

// templateFieldsError reports the problems of GRIDBOT_WECHAT_TEMPLATE_FIELDS as the other
// settings' are reported: one line per problem, each naming the variable.
func templateFieldsError(err error) error {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = "GRIDBOT_WECHAT_TEMPLATE_FIELDS: " + l
	}
	return fmt.Errorf("config: invalid settings:\n%s", strings.Join(lines, "\n"))
}

// close stops the inbox, the supervision loop (its context is already cancelled) and the media
// fetcher, letting work in flight finish.
func (g *gateway) close(timeout time.Duration) {
	if g.supervised != nil {
		select {
		case <-g.supervised:
		case <-time.After(timeout):
		}
	}
	if g.inbox != nil {
		g.inbox.Close(timeout)
	}
	if g.fetcher != nil {
		g.fetcher.Close(timeout)
	}
	if g.delivery != nil {
		if err := g.delivery.Close(timeout); err != nil {
			g.log.Warn("notification delivery still running at shutdown; claimed intents return after their lease", "err", err)
		}
	}
}

// mode says SANDBOX loudly in /healthz, or production.
func (g *gateway) mode() string {
	if g.sandbox != nil {
		return "SANDBOX"
	}
	return "production"
}
