// Package workflow runs cases through the closed loop: intake, routing by the 5433 rules,
// officers' actions, verification and rating, each a checked transition of the state machine
// recorded in the case's hash-chained history, with the notifications it causes.
package workflow

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gridbot/models"
)

// Store is what the workflow needs of the database.
type Store interface {
	// NextTrackingNumber allocates the next tracking number of a day.
	NextTrackingNumber(ctx context.Context, day time.Time) (string, error)
	// CreateCase stores a case, its first event and its intents in one transaction;
	// models.EConflict (nothing stored) when a case has its InboxKey already.
	CreateCase(ctx context.Context, c models.Case, ev models.Event, intents []models.Intent) (models.Case, error)
	// CreateCaseSteps stores a new case as it stands after several steps, with their events (the
	// first creates it) and intents, in one transaction; models.EConflict as CreateCase.
	CreateCaseSteps(ctx context.Context, c models.Case, evs []models.Event, intents []models.Intent) (models.Case, error)
	// UpdateCase stores a changed case if its version is current (else models.EConflict), with
	// its event and intents, in one transaction.
	UpdateCase(ctx context.Context, c models.Case, ev models.Event, intents []models.Intent) (models.Case, error)
	// CaseByID and CaseByTrackingNo return a case; models.ENotFound if there is none.
	CaseByID(ctx context.Context, id int64) (models.Case, error)
	CaseByTrackingNo(ctx context.Context, no string) (models.Case, error)
	// CaseByInboxKey returns the case an inbox entry's processing filed; models.ENotFound if none.
	CaseByInboxKey(ctx context.Context, key string) (models.Case, error)
	// PersonByID returns a person; models.ENotFound if there is none.
	PersonByID(ctx context.Context, id int64) (models.Person, error)
	// PeopleByRole returns everyone with a role.
	PeopleByRole(ctx context.Context, role models.Role) ([]models.Person, error)
	// Events returns a case's history, oldest first.
	Events(ctx context.Context, caseID int64) ([]models.Event, error)
	// Followers returns the people following a case.
	Followers(ctx context.Context, caseID int64) ([]models.Person, error)
	// Follow adds a follower.
	Follow(ctx context.Context, caseID, personID int64) error
}

// Calendar counts deadlines in working time.
type Calendar interface {
	Add(start time.Time, l models.TimeLimit) (time.Time, error)
}

// Workflow applies the case rules.
type Workflow struct {
	store  Store
	loc    *time.Location
	now    func() time.Time
	cal    Calendar
	county func() County
	notes  Notifier // nil: notifications are written unpaced and delivered at the next poll
}

// Notifier is the delivery of notifications (a notify.Dispatcher), as a change sees it.
type Notifier interface {
	// Pace books the turn of each new notification under its recipient's rate limit and makes
	// it due then (one due now keeps a zero NextAttemptAt); it is called before they are written.
	Pace(ctx context.Context, intents []models.Intent)
	// Wake starts delivery soon; it is called after a change that wrote notifications.
	Wake()
}

// write stores a change with the notifications it causes (store does): their turns are booked
// first, and delivery is woken once it is stored.
func (w *Workflow) write(ctx context.Context, intents []models.Intent, store func() error) error {
	if len(intents) > 0 && w.notes != nil {
		w.notes.Pace(ctx, intents)
	}
	if err := store(); err != nil {
		return err
	}
	w.woke(intents)
	return nil
}

// woke wakes the delivery when intents due now were written (they have no due time of their
// own); those paced to a later turn are found by its polling when they come due.
func (w *Workflow) woke(intents []models.Intent) {
	if w.notes == nil {
		return
	}
	for _, in := range intents {
		if in.NextAttemptAt.IsZero() {
			w.notes.Wake()
			return
		}
	}
}

// New returns a workflow over a store; dates (tracking numbers, deadlines shown) are taken in
// loc, deadlines counted on cal, routing uses the county snapshot county returns, and notes
// paces the notifications a change writes and is woken after it (nil: written unpaced).
func New(st Store, loc *time.Location, now func() time.Time, cal Calendar, county func() County, notes Notifier) *Workflow {
	if now == nil {
		now = time.Now
	}
	return &Workflow{store: st, loc: loc, now: now, cal: cal, county: county, notes: notes}
}

// Submit registers a reporter's case: it checks the draft, allocates a tracking number, stores
// the case with its first event and attachments, and tells the reporter it was received. A
// draft whose InboxKey filed a case already (its inbox entry processed again after a crash)
// returns that case as it stands, and writes nothing.
func (w *Workflow) Submit(ctx context.Context, nc models.NewCase) (models.Case, error) {
	if err := checkNewCase(nc); err != nil {
		return models.Case{}, err
	}
	phone, err := contactPhone(nc)
	if err != nil {
		return models.Case{}, err
	}
	reporter, err := w.reporterOf(ctx, nc)
	if err != nil {
		return models.Case{}, err
	}
	now := models.EventTime(w.now())
	no, err := w.store.NextTrackingNumber(ctx, now.In(w.loc))
	if err != nil {
		return models.Case{}, err
	}
	c := models.Case{
		TrackingNo: no, Kind: nc.Kind, Source: nc.Source, Description: strings.TrimSpace(nc.Description),
		Location: nc.Location, MatterCode: nc.MatterCode, Urgency: models.UrgencyNormal,
		Confidential: nc.Confidential, ReporterID: reporter.ID, State: models.StateReceived, CreatedAt: now,
		ContactPhone: phone, InboxKey: nc.InboxKey,
	}
	ev := models.Event{ActorID: reporter.ID, ActorRole: reporter.Role, Action: models.ActionCreate,
		Note: nc.Kind.Chinese(), AttachmentIDs: nc.AttachmentIDs, At: now}
	var intents []models.Intent
	if !nc.Acknowledged {
		intents = receivedIntents(reporter, c)
	}
	return w.create(ctx, c, ev, intents, reporter)
}

// create stores a new case already routed, or failing that created and then routed; the case
// its inbox entry filed before, if it did, is returned instead.
func (w *Workflow) create(ctx context.Context, c models.Case, ev models.Event, intents []models.Intent,
	reporter models.Person) (models.Case, error) {
	routed, err := w.createRouted(ctx, c, ev, intents, reporter)
	if err == nil {
		return routed, nil
	}
	if filed, ok := w.alreadyFiled(ctx, c, err); ok {
		return filed, nil
	}
	var created models.Case
	err = w.write(ctx, intents, func() (err error) {
		created, err = w.store.CreateCase(ctx, c, ev, intents)
		return err
	})
	if filed, ok := w.alreadyFiled(ctx, c, err); ok {
		return filed, nil
	}
	if err != nil {
		return models.Case{}, err
	}
	routed, err = w.route(ctx, created)
	if err != nil {
		// The case is stored and the reporter gets its number; the supervision loop routes
		// cases left in "received".
		return created, nil
	}
	return routed, nil
}

// alreadyFiled maps the conflict of a new case whose inbox entry filed one before (the same
// confirmation processed again) to the case filed then, as it stands; false for any other
// outcome, and for a case of another reporter (a key is one person's message).
func (w *Workflow) alreadyFiled(ctx context.Context, c models.Case, err error) (models.Case, bool) {
	if c.InboxKey == "" || models.ErrorCodeOf(err) != models.EConflict {
		return models.Case{}, false
	}
	filed, lerr := w.store.CaseByInboxKey(ctx, c.InboxKey)
	return filed, lerr == nil && filed.ReporterID == c.ReporterID
}

// reporterOf returns the reporter of a new case: as the caller passed them, or from the store.
func (w *Workflow) reporterOf(ctx context.Context, nc models.NewCase) (models.Person, error) {
	if nc.Reporter != nil && nc.Reporter.ID == nc.ReporterID {
		return *nc.Reporter, nil
	}
	return w.store.PersonByID(ctx, nc.ReporterID)
}

// createRouted stores a new case already routed, in one transaction: the case in the state
// routing leaves it in, with its creation and routing events and the intents of both, exactly
// as creating it and then routing it would. An error leaves nothing stored.
func (w *Workflow) createRouted(ctx context.Context, c models.Case, ev models.Event, intents []models.Intent,
	reporter models.Person) (models.Case, error) {
	c.Version = 1 // as stored by its creation: routing's notices are of version 2
	ev.FromState, ev.ToState = "", c.State
	r := w.routing(&c)
	ch, rev, err := w.prepare(ctx, c, r, reporter)
	if err != nil {
		return models.Case{}, err
	}
	all := append(intents, ch.intents...)
	var created models.Case
	err = w.write(ctx, all, func() (err error) {
		created, err = w.store.CreateCaseSteps(ctx, ch.c, []models.Event{ev, rev}, all)
		return err
	})
	return created, err
}

// route sends a received case where the 5433 rules say: a team, or the triage queue.
func (w *Workflow) route(ctx context.Context, c models.Case) (models.Case, error) {
	r := w.routing(&c)
	return w.apply(ctx, c, r)
}

// routing decides where a received case goes, records why in the case, and returns the request
// that routes it.
func (w *Workflow) routing(c *models.Case) Request {
	d := Route(w.county(), *c, w.now().In(w.loc))
	c.RouteReason = d.Reason
	r := Request{Actor: System(), TrackingNo: c.TrackingNo, Note: d.Reason, TeamCode: d.TeamCode, Action: models.ActionDispatch}
	if d.Triage() {
		r.Action = models.ActionTriage
	}
	return r
}

// checkNewCase refuses a draft that cannot become a case.
func checkNewCase(nc models.NewCase) error {
	switch {
	case !nc.Kind.Valid():
		return models.Errorf(models.EInvalid, "unknown case kind %q", nc.Kind)
	case !nc.Source.Valid():
		return models.Errorf(models.EInvalid, "unknown source %q", nc.Source)
	case strings.TrimSpace(nc.Description) == "":
		return models.Errorf(models.EInvalid, "a case needs a description")
	case nc.ReporterID == 0:
		return models.Errorf(models.EInvalid, "a case needs a reporter")
	}
	return nil
}

// receivedIntents tells the reporter the case was received, on the channel they can be reached.
func receivedIntents(reporter models.Person, c models.Case) []models.Intent {
	ch := reachable(reporter)
	if ch == "" {
		return nil
	}
	payload, err := json.Marshal(map[string]string{"tracking_no": c.TrackingNo, "kind": string(c.Kind)})
	if err != nil { // cannot happen for strings
		panic("workflow: marshal payload: " + err.Error())
	}
	return []models.Intent{{RecipientID: reporter.ID, Channel: ch, Kind: "case_received",
		DedupKey: "case_received:" + c.TrackingNo, Payload: payload}}
}

// reachable returns the channel a person can be sent messages on, or "" for none.
func reachable(p models.Person) models.Channel {
	switch {
	case p.Unreachable:
		return ""
	case p.PreferredChannel == models.ChannelWeCom && p.WeComUserID != "":
		return models.ChannelWeCom
	case p.OpenID != "":
		return models.ChannelWeChat
	case p.WeComUserID != "":
		return models.ChannelWeCom
	}
	return ""
}
