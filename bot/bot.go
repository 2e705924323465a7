package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gridbot/inbox"
	"gridbot/models"
	"gridbot/shared"
	"gridbot/workflow"
)

// People is what the bot needs to know about who is writing.
type People interface {
	// EnsureCitizen returns the person of an openid, creating a citizen on first contact.
	EnsureCitizen(ctx context.Context, openID string, at time.Time) (models.Person, error)
	// PersonByWeComUserID returns the staff member of a WeCom userid; models.ENotFound if none.
	PersonByWeComUserID(ctx context.Context, userID string) (models.Person, error)
	// SetUnreachable marks whether a person can be sent messages.
	SetUnreachable(ctx context.Context, personID int64, unreachable bool) error
	// RedeemBindingCode binds an openid to the person of a one-time code: models.ENotFound for a
	// wrong, used or expired code, models.EConflict when the openid belongs to other staff.
	RedeemBindingCode(ctx context.Context, openID, code string, now time.Time) (models.Person, error)
}

// Cases is what the bot needs of cases.
type Cases interface {
	// Submit registers a case from a finished conversation.
	Submit(ctx context.Context, nc models.NewCase) (models.Case, error)
	// CaseByTrackingNo returns a case; models.ENotFound if there is none.
	CaseByTrackingNo(ctx context.Context, no string) (models.Case, error)
	// Events returns a case's history in order.
	Events(ctx context.Context, caseID int64) ([]models.Event, error)
	// CasesByReporter returns a person's cases, newest first.
	CasesByReporter(ctx context.Context, personID int64, limit int) ([]models.Case, error)
	// Attachments returns a case's attachments.
	Attachments(ctx context.Context, caseID int64) ([]models.Attachment, error)
	// Act applies a staff or reporter action through the workflow.
	Act(ctx context.Context, r workflow.Request) (models.Case, error)
	// MaySee reports whether a person may see a case.
	MaySee(p models.Person, c models.Case) bool
	// OpenCasesOfTeam lists a team's open cases, most urgent first.
	OpenCasesOfTeam(ctx context.Context, team string, limit int) ([]models.Case, error)
	// TeamMembers lists a team's people.
	TeamMembers(ctx context.Context, team string) ([]models.Person, error)
	// PersonByID returns a person.
	PersonByID(ctx context.Context, id int64) (models.Person, error)
	// OpenCasesOfMatter lists open cases of a matter in a township with ids below beforeID (0
	// for the newest), newest first: duplicate candidates, a page at a time.
	OpenCasesOfMatter(ctx context.Context, matter, township string, beforeID int64, limit int) ([]models.Case, error)
	// Follow makes a person follow a case's status updates.
	Follow(ctx context.Context, caseID, personID int64) error
	// Followers returns the people following a case.
	Followers(ctx context.Context, caseID int64) ([]models.Person, error)
	// CaseByID returns a case.
	CaseByID(ctx context.Context, id int64) (models.Case, error)
	// ResolveTeam finds the team a department's or team's name as people write it names.
	ResolveTeam(text string) (models.Team, bool)
	// LastUrged returns when a person last urged (催办) a case; the zero time if never.
	LastUrged(ctx context.Context, caseID, personID int64) (time.Time, error)
	// LatestSentIntent returns the newest notification of one of the kinds delivered to a person
	// (the last card they received); models.ENotFound if none.
	LatestSentIntent(ctx context.Context, recipientID int64, kinds []string) (models.Intent, error)
}

// Media keeps photos and voice messages: a record now, the file fetched in the background.
type Media interface {
	// AddAttachment stores an attachment's record, not yet linked to a case.
	AddAttachment(ctx context.Context, a models.Attachment) (models.Attachment, error)
	// Enqueue asks for the file to be downloaded from WeChat.
	Enqueue(a models.Attachment)
}

// Deadlines computes when a reporter can expect an answer.
type Deadlines interface {
	Add(start time.Time, l models.TimeLimit) (time.Time, error)
}

// Catalogue is the county as the bot needs it: places, matters and teams.
type Catalogue struct {
	CountyName  string // the county this account serves, e.g. 晋江市
	Places      *Places
	Suggester   *Suggester
	Matters     []models.Matter
	Teams       []models.Team
	matterIndex map[string]models.Matter // Matters by code, filled by Index
	teamIndex   map[string]models.Team   // Teams by code, filled by Index
}

// Index returns a copy of the catalogue with its matters and teams indexed by code, as the bot
// reads it.
func (c Catalogue) Index() *Catalogue {
	c.matterIndex = make(map[string]models.Matter, len(c.Matters))
	for _, m := range c.Matters {
		c.matterIndex[m.Code] = m
	}
	c.teamIndex = make(map[string]models.Team, len(c.Teams))
	for _, t := range c.Teams {
		c.teamIndex[t.Code] = t
	}
	return &c
}

// Counties gives the bot the county's current catalogue (the county snapshot).
type Counties interface {
	// Catalogue returns the catalogue held now; it never waits.
	Catalogue() *Catalogue
	// CatalogueAt returns the catalogue of the people generation gen just read from Redis,
	// loading the county again first when gen is not the one the catalogue was loaded under.
	CatalogueAt(ctx context.Context, gen string) *Catalogue
}

// Config tunes the conversations.
type Config struct {
	KeyPrefix           string        // Redis key prefix
	Idle                time.Duration // a conversation expires after this long without a message
	BindFailuresPerHour int           // wrong binding codes allowed per openid and hour
	Location            *time.Location
	DefaultLimit        models.TimeLimit // the answer time promised when the matter is unknown
	DuplicateRadius     float64          // metres: an open case of the same matter this near is offered to follow
	CaseURL             string           // a case's page is this URL followed by its tracking number ("" for none)
}

// Bot holds the conversations: it turns each inbound message into a reply.
type Bot struct {
	cfg       Config
	people    People
	cases     Cases
	media     Media
	deadlines Deadlines
	county    Counties
	state     *shared.Conversations // conversations, their locks and the cached people, in Redis
	decoded   decodedPeople         // cached people already decoded
	log       *slog.Logger
	now       func() time.Time
}

// catalogue is the county's catalogue held now.
func (b *Bot) catalogue() *Catalogue { return b.county.Catalogue() }

// New builds the bot over the county snapshot and the conversations' shared state (made with
// KeepConversations(cfg) as its Keep).
func New(cfg Config, county Counties, people People, cases Cases, media Media, deadlines Deadlines,
	state *shared.Conversations, log *slog.Logger) *Bot {
	if cfg.DefaultLimit.Amount == 0 {
		cfg.DefaultLimit = models.TimeLimit{Amount: 13, Unit: models.WorkingDays}
	}
	return &Bot{cfg: cfg, people: people, cases: cases, media: media, deadlines: deadlines, county: county,
		state: state, log: log, now: time.Now}
}

// KeepConversations is how long a stored conversation is kept: the idle time and a day, so that
// an expired conversation can still be reported.
func KeepConversations(cfg Config) time.Duration { return cfg.Idle + 24*time.Hour }

// SetClock replaces the bot's clock (tests).
func (b *Bot) SetClock(now func() time.Time) { b.now = now }

// turn is one message being handled: who wrote, what, and their conversation.
type turn struct {
	ctx     context.Context
	in      models.Inbound
	person  models.Person
	sess    *session
	raw     string   // the text as typed, for descriptions (commands read it cleaned)
	expired bool     // the person's conversation had expired when this message came
	notes   []string // lines said before the answer (e.g. "your last conversation expired")
}

// Process handles one inbound message and returns the reply ("" for none). Messages of one
// person are handled one at a time, across instances.
func (b *Bot) Process(ctx context.Context, in models.Inbound) (string, error) {
	ctx, unlock, err := b.lock(ctx, in.Channel, in.OpenID)
	if err != nil {
		return "", err
	}
	defer unlock()
	if h := heldFromContext(ctx); h != nil && h.Read {
		b.county.CatalogueAt(ctx, h.Gen) // a new generation (an import) loads the county again
	}
	at := b.now()
	person, known, err := b.identify(ctx, in, at)
	if err != nil {
		return "", fmt.Errorf("identify sender: %w", err)
	}
	if !known {
		return msgWeComUnknown, nil
	}
	if in.MsgType == models.MsgEvent {
		return b.event(ctx, in, person)
	}
	sess, expired, err := b.loadSession(ctx, in.OpenID, at)
	if err != nil {
		return "", err
	}
	t := &turn{ctx: ctx, in: in, person: person, sess: sess, expired: expired}
	if expired {
		t.notes = append(t.notes, msgExpired)
	}
	reply, err := b.dispatch(t)
	if err != nil {
		return "", err
	}
	if err := b.saveSession(ctx, in.OpenID, t.sess, at); err != nil {
		return "", err
	}
	return strings.Join(append(t.notes, reply), "\n"), nil
}

// identify finds who wrote: on WeCom only staff of the deployment file (known is false for an
// unknown userid); on the Official Account anyone, a citizen created on first contact.
func (b *Bot) identify(ctx context.Context, in models.Inbound, at time.Time) (models.Person, bool, error) {
	h := heldFor(ctx, in.OpenID)
	if p, ok := b.cachedIdentity(h, in.Channel, at); ok {
		return p, true, nil
	}
	var (
		p   models.Person
		err error
	)
	if in.Channel != models.ChannelWeCom {
		p, err = b.people.EnsureCitizen(ctx, in.OpenID, at)
	} else {
		p, err = b.people.PersonByWeComUserID(ctx, in.OpenID)
		if models.ErrorCodeOf(err) == models.ENotFound {
			return models.Person{}, false, nil
		}
	}
	if err != nil {
		return models.Person{}, false, err
	}
	h.remember(p)
	return p, true, nil
}

// release lets go of a turn's lock that no conversation write released, caching the person
// read during the turn in the same round trip.
func (b *Bot) release(ctx context.Context, h *held) {
	if h.released {
		return
	}
	h.Release(ctx, h.toCache, personTTL)
	h.toCache, h.released = nil, true
}

// dispatch answers a message by its type.
func (b *Bot) dispatch(t *turn) (string, error) {
	switch t.in.MsgType {
	case models.MsgText:
		return b.text(t, t.in.Content)
	case models.MsgImage:
		return b.photo(t)
	case models.MsgVoice:
		return b.voice(t)
	case models.MsgLocation:
		return b.location(t)
	case models.MsgVideo, models.MsgShortVideo:
		return b.withQuestion(t, msgVideo), nil
	case models.MsgLink, models.MsgFile:
		return b.withQuestion(t, msgLink), nil
	}
	return b.withQuestion(t, msgUnknownType), nil
}

// withQuestion adds the pending question of an open conversation after a remark.
func (b *Bot) withQuestion(t *turn, remark string) string {
	if t.sess == nil {
		return remark
	}
	return remark + "\n" + msgRepeatQuestion + b.question(t)
}

// event answers subscribe, unsubscribe and menu clicks; other events get no reply.
func (b *Bot) event(ctx context.Context, in models.Inbound, p models.Person) (string, error) {
	switch in.Event {
	case "subscribe":
		if p.Unreachable {
			if err := b.setUnreachable(ctx, p.ID, false); err != nil {
				return "", err
			}
		}
		return msgWelcome, nil
	case "unsubscribe":
		if err := b.setUnreachable(ctx, p.ID, true); err != nil {
			return "", err
		}
		return "", b.dropSession(ctx, in.OpenID)
	case "click":
		word, ok := menuKeys()[in.EventKey]
		if !ok {
			return msgUnknownType, nil
		}
		text := in
		text.MsgType, text.Content, text.Event = models.MsgText, word, ""
		return b.processLocked(ctx, text, p)
	}
	return "", nil
}

// setUnreachable records whether a person can be sent messages and retires cached people.
func (b *Bot) setUnreachable(ctx context.Context, personID int64, unreachable bool) error {
	if err := b.people.SetUnreachable(ctx, personID, unreachable); err != nil {
		return err
	}
	b.PeopleChanged(ctx)
	return nil
}

// processLocked handles a synthesised text message for a person whose lock is already held.
func (b *Bot) processLocked(ctx context.Context, in models.Inbound, p models.Person) (string, error) {
	at := b.now()
	sess, expired, err := b.loadSession(ctx, in.OpenID, at)
	if err != nil {
		return "", err
	}
	t := &turn{ctx: ctx, in: in, person: p, sess: sess, expired: expired}
	if expired {
		t.notes = append(t.notes, msgExpired)
	}
	reply, err := b.text(t, in.Content)
	if err != nil {
		return "", err
	}
	if err := b.saveSession(ctx, in.OpenID, t.sess, at); err != nil {
		return "", err
	}
	return strings.Join(append(t.notes, reply), "\n"), nil
}

// lock takes a person's conversation lock in Redis (waiting up to 3 s) and returns a context
// that holds it, with the person's conversation read in the same round trip, and its release
// (a no-op once saveSession has released it). A lock taken already when the message was
// admitted (see Prepare) is used as it is.
func (b *Bot) lock(ctx context.Context, channel models.Channel, openID string) (context.Context, func(), error) {
	if h := heldFor(ctx, openID); h != nil && !h.released {
		return ctx, func() { b.release(context.WithoutCancel(ctx), h) }, nil
	}
	t, err := b.state.Lock(ctx, channel, openID)
	if err != nil {
		return nil, nil, err
	}
	h := newHeld(t)
	release := func() { b.release(context.WithoutCancel(ctx), h) }
	return context.WithValue(ctx, heldKey{}, h), release, nil
}

// Prepare queues the taking of the sender's conversation lock, with the reads the turn needs,
// on the pipeline that admits the message (inbox.Preparer): one round trip fewer per message.
func (b *Bot) Prepare(ctx context.Context, pipe shared.Pipe, in models.Inbound) inbox.Prepared {
	return &prepared{try: b.state.PrepareLock(ctx, pipe, in.Channel, in.OpenID)}
}

// prepared is a lock attempt made when a message was admitted.
type prepared struct {
	try *shared.LockAttempt
}

// Attach returns a context holding the lock if the attempt took it; else Process takes it.
func (p *prepared) Attach(ctx context.Context) context.Context {
	if t, ok, err := p.try.Result(); err == nil && ok {
		return context.WithValue(ctx, heldKey{}, newHeld(t))
	}
	return ctx
}

// Drop lets the lock go when the message is not processed after all.
func (p *prepared) Drop() { p.try.Drop(context.Background()) }
