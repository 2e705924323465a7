package workflow

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"gridbot/models"
)

// supervisorsFromLevel is the escalation level from which the county's supervisors are told as
// well: the first escalation (通报) goes to the team's leaders and the platform, the later ones
// (the reprimand stage of 12345 practice) also to supervisors.
const supervisorsFromLevel = 2

// lockName is the name of the supervision lock, after the configured key prefix.
const lockName = "supervise:lock"

// SupervisionStore finds the cases the supervision loop looks at.
type SupervisionStore interface {
	// CasesToSupervise returns up to limit cases, by id after afterID, in a supervised state with
	// its running deadline set that may need a step at now.
	CasesToSupervise(ctx context.Context, now time.Time, afterID int64, limit int) ([]models.Case, error)
	// CasesStuckReceived returns up to limit cases, by id after afterID, still in state received
	// and created before a time.
	CasesStuckReceived(ctx context.Context, before time.Time, afterID int64, limit int) ([]models.Case, error)
}

// WorkingClock counts working time on the calendar; *workcal.Calendar is one.
type WorkingClock interface {
	// Add returns the instant a working-time limit started at start runs out.
	Add(start time.Time, l models.TimeLimit) (time.Time, error)
	// WorkingBetween returns the working time from a to b.
	WorkingBetween(a, b time.Time) (time.Duration, error)
}

// Locker lets one instance at a time run a supervision pass; *shared.Redis is one.
type Locker interface {
	// TryLock takes the lock named key for ttl; ok is false, without error, when another holder
	// has it. release gives it back if it is still the caller's.
	TryLock(ctx context.Context, key string, ttl time.Duration) (release func(context.Context) error, ok bool, err error)
}

// SupervisorConfig tunes the supervision loop; a zero field takes the default it names.
type SupervisorConfig struct {
	Interval        time.Duration    // time between two passes; default 1m
	ChaseAt         float64          // share of the working time to the deadline after which the case is chased (催办); default 0.8, within (0, 1)
	ReescalateAfter models.TimeLimit // working time after an escalation (督办) before the next one; default 5d
	Batch           int              // cases read from the store at a time; default 200
	RerouteAfter    time.Duration    // a case still "received" this long after intake is routed again; default 1m
	LockTTL         time.Duration    // the longest a pass runs and holds the lock; default 2m
	KeyPrefix       string           // Redis key prefix of the lock (config's redis_key_prefix)
}

// withDefaults fills in the zero fields and checks the others.
func (cfg SupervisorConfig) withDefaults() (SupervisorConfig, error) {
	if cfg.Interval == 0 {
		cfg.Interval = time.Minute
	}
	if cfg.ChaseAt == 0 {
		cfg.ChaseAt = 0.8
	}
	if cfg.ReescalateAfter.Amount == 0 {
		cfg.ReescalateAfter = models.TimeLimit{Amount: 5, Unit: models.WorkingDays}
	}
	if cfg.Batch == 0 {
		cfg.Batch = 200
	}
	if cfg.RerouteAfter == 0 {
		cfg.RerouteAfter = time.Minute
	}
	if cfg.LockTTL == 0 {
		cfg.LockTTL = 2 * time.Minute
	}
	switch {
	case cfg.Interval < 0, cfg.Batch < 0, cfg.RerouteAfter < 0, cfg.LockTTL < 0:
		return cfg, models.Errorf(models.EInvalid, "supervision: interval, batch, reroute delay and lock TTL must be positive")
	case cfg.ChaseAt <= 0 || cfg.ChaseAt >= 1:
		return cfg, models.Errorf(models.EInvalid, "supervision: chase at %.2f: want a share between 0 and 1", cfg.ChaseAt)
	case cfg.ReescalateAfter.Amount < 0 || (cfg.ReescalateAfter.Unit != models.WorkingHours && cfg.ReescalateAfter.Unit != models.WorkingDays):
		return cfg, models.Errorf(models.EInvalid, "supervision: re-escalation after %q: want Nh or Nd", cfg.ReescalateAfter.String())
	}
	return cfg, nil
}

// Stats counts what one supervision pass did.
type Stats struct {
	Skipped   bool // another instance held the lock: this pass did nothing
	Examined  int  // open cases looked at
	Routed    int  // cases left in "received" routed again
	Chased    int  // chases (催办)
	Overdue   int  // cases marked overdue and escalated for the first time
	Escalated int  // escalations after the first
	Conflicts int  // cases someone changed meanwhile: left for the next pass
	Failed    int  // cases whose step failed (logged)
}

// changed reports whether the pass did or met anything worth a log line.
func (st Stats) changed() bool {
	return st.Routed+st.Chased+st.Overdue+st.Escalated+st.Conflicts+st.Failed > 0
}

// Supervisor is the supervision loop: it chases (催办) cases whose time is nearly spent, marks
// overdue ones and escalates them (督办), escalates again while they stay overdue, and routes
// cases whose routing failed at intake. Several instances may run it; a Redis lock lets one pass
// run at a time, and optimistic locking of cases keeps every step single even without it.
type Supervisor struct {
	w        *Workflow
	store    SupervisionStore
	cal      WorkingClock
	lock     Locker
	cfg      SupervisorConfig
	permille int64 // cfg.ChaseAt in thousandths
	now      func() time.Time
	log      *slog.Logger
}

// NewSupervisor returns a supervision loop over a workflow. lock may be nil for a single
// instance; now nil means time.Now and log nil discards. It fails with EInvalid for a bad cfg.
func NewSupervisor(w *Workflow, st SupervisionStore, cal WorkingClock, lock Locker, cfg SupervisorConfig,
	now func() time.Time, log *slog.Logger) (*Supervisor, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Supervisor{w: w, store: st, cal: cal, lock: lock, cfg: cfg,
		permille: int64(math.Round(cfg.ChaseAt * 1000)), now: now, log: log}, nil
}

// Run makes a pass at once and then every Interval until ctx is done; passes never overlap, and
// Run returns when ctx is done and the pass under way has stopped. Start it in a goroutine the
// caller waits for at shutdown.
func (s *Supervisor) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		s.logPass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// logPass makes one pass and logs what it did.
func (s *Supervisor) logPass(ctx context.Context) {
	st, err := s.Pass(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Error("supervision pass failed", "err", err)
	case st.changed():
		s.log.Info("supervision pass", "examined", st.Examined, "routed", st.Routed, "chased", st.Chased,
			"overdue", st.Overdue, "escalated", st.Escalated, "conflicts", st.Conflicts, "failed", st.Failed)
	}
}

// Pass makes one supervision pass at the clock's current time, if it gets the lock: it routes
// cases left in "received", then takes the step each supervised case is due for. A failure on
// one case is logged and counted, not returned; the error is the lock's or the store's.
func (s *Supervisor) Pass(ctx context.Context) (Stats, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.LockTTL)
	defer cancel()
	release, ok, err := s.acquire(ctx)
	if err != nil {
		return Stats{}, err
	}
	if !ok {
		return Stats{Skipped: true}, nil
	}
	defer s.release(ctx, release)
	var st Stats
	now := models.EventTime(s.now())
	if err := s.reroute(ctx, now, &st); err != nil {
		return st, err
	}
	return st, s.superviseAll(ctx, now, &st)
}

// acquire takes the supervision lock (always granted without a Locker).
func (s *Supervisor) acquire(ctx context.Context) (func(context.Context) error, bool, error) {
	if s.lock == nil {
		return func(context.Context) error { return nil }, true, nil
	}
	release, ok, err := s.lock.TryLock(ctx, s.cfg.KeyPrefix+lockName, s.cfg.LockTTL)
	if err != nil {
		return nil, false, fmt.Errorf("supervision lock: %w", err)
	}
	return release, ok, nil
}

// release gives the lock back, even when the pass's context is done.
func (s *Supervisor) release(ctx context.Context, release func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := release(ctx); err != nil {
		s.log.Warn("releasing the supervision lock failed; it expires by itself", "err", err)
	}
}

// reroute routes again the cases whose routing failed at intake.
func (s *Supervisor) reroute(ctx context.Context, now time.Time, st *Stats) error {
	before := now.Add(-s.cfg.RerouteAfter)
	load := func(after int64) ([]models.Case, error) {
		return s.store.CasesStuckReceived(ctx, before, after, s.cfg.Batch)
	}
	return s.each(ctx, load, func(c models.Case) {
		_, err := s.w.route(ctx, c)
		s.record(st, c, &st.Routed, err)
	})
}

// superviseAll takes the step each supervised case is due for.
func (s *Supervisor) superviseAll(ctx context.Context, now time.Time, st *Stats) error {
	load := func(after int64) ([]models.Case, error) {
		return s.store.CasesToSupervise(ctx, now, after, s.cfg.Batch)
	}
	return s.each(ctx, load, func(c models.Case) {
		st.Examined++
		s.takeStep(ctx, c, now, st)
	})
}

// each calls fn for every case load returns, a batch at a time in order of id.
func (s *Supervisor) each(ctx context.Context, load func(afterID int64) ([]models.Case, error), fn func(models.Case)) error {
	var after int64
	for {
		cases, err := load(after)
		if err != nil {
			return err
		}
		for _, c := range cases {
			if err := ctx.Err(); err != nil {
				return err
			}
			fn(c)
			after = c.ID
		}
		if len(cases) < s.cfg.Batch {
			return nil
		}
	}
}

// step is the supervision step a case is due for; the zero step is none.
type step struct {
	action models.Action // ActionChase or ActionEscalate
	level  int           // the escalation level it reaches
	note   string
}

// takeStep takes the step a case is due for, through the workflow.
func (s *Supervisor) takeStep(ctx context.Context, c models.Case, now time.Time, st *Stats) {
	next, err := s.due(c, now)
	if err != nil || next.action == "" {
		s.record(st, c, nil, err)
		return
	}
	_, err = s.w.apply(ctx, c, Request{Action: next.action, Actor: System(), TrackingNo: c.TrackingNo, Note: next.note})
	counter := &st.Chased
	switch {
	case next.action == models.ActionEscalate && next.level == 1:
		counter = &st.Overdue
	case next.action == models.ActionEscalate:
		counter = &st.Escalated
	}
	s.record(st, c, counter, err)
}

// record counts the outcome of one case's step: done, conflict or failure (logged).
func (s *Supervisor) record(st *Stats, c models.Case, done *int, err error) {
	switch {
	case err == nil && done != nil:
		*done++
	case err == nil:
	case models.ErrorCodeOf(err) == models.EConflict:
		st.Conflicts++
		s.log.Debug("supervision step met a change", "tracking_no", c.TrackingNo, "err", err)
	default:
		st.Failed++
		s.log.Warn("supervision step failed", "tracking_no", c.TrackingNo, "state", string(c.State), "err", err)
	}
}

// due returns the step a case is due for at now: past its running deadline, the first
// escalation (marking it overdue) or the next one once ReescalateAfter has passed since the last;
// before it, one chase once ChaseAt of the working time is spent.
func (s *Supervisor) due(c models.Case, now time.Time) (step, error) {
	d, signing := runningDeadline(c)
	if d.IsZero() {
		return step{}, nil
	}
	if now.Before(d) {
		chase, err := s.chaseDue(c, d, now)
		if err != nil || !chase {
			return step{}, err
		}
		return step{action: models.ActionChase, note: fmt.Sprintf(pick(signing, noteChaseSign, noteChaseHandle),
			int(math.Round(s.cfg.ChaseAt*100)))}, nil
	}
	if !overdueFor(c, d) {
		return step{action: models.ActionEscalate, level: 1, note: pick(signing, noteOverdueSign, noteOverdueHandle)}, nil
	}
	next, err := s.cal.Add(lastEscalation(c), s.cfg.ReescalateAfter)
	if err != nil || now.Before(next) {
		return step{}, err
	}
	level := c.EscalationLvl + 1
	return step{action: models.ActionEscalate, level: level,
		note: fmt.Sprintf(noteReescalate, pick(signing, noteNotSigned, noteNotHandled), level)}, nil
}

// chaseDue reports whether ChaseAt of the working time from dispatch to deadline d is spent at
// now and the case was not chased for d yet. A chase counts for d when it came after that share
// was spent: one made for the sign-for deadline does not count for the handling deadline.
func (s *Supervisor) chaseDue(c models.Case, d, now time.Time) (bool, error) {
	if c.DispatchedAt.IsZero() || !c.DispatchedAt.Before(d) {
		return false, nil
	}
	total, err := s.cal.WorkingBetween(c.DispatchedAt, d)
	if err != nil || total <= 0 {
		return false, err
	}
	if !c.ChasedAt.IsZero() {
		chased, err := s.spent(c.DispatchedAt, c.ChasedAt, total)
		if err != nil || chased {
			return false, err
		}
	}
	return s.spent(c.DispatchedAt, now, total)
}

// spent reports whether at least ChaseAt of total working time has passed from start to at.
func (s *Supervisor) spent(start, at time.Time, total time.Duration) (bool, error) {
	used, err := s.cal.WorkingBetween(start, at)
	if err != nil {
		return false, err
	}
	return used.Milliseconds()*1000 >= total.Milliseconds()*s.permille, nil
}

// runningDeadline returns the deadline a case is supervised against in its state, and whether it
// is the sign-for one: the sign-for deadline before the case is signed for, the handling
// deadline after; zero in a state that is not supervised.
func runningDeadline(c models.Case) (time.Time, bool) {
	switch c.State {
	case models.StateDispatched, models.StateReopened:
		return c.SignDeadline, true
	case models.StateSigned, models.StateHandling, models.StateExtensionRequested:
		return c.HandleDeadline, false
	}
	return time.Time{}, false
}

// overdueFor reports whether the case was marked overdue for deadline d (and not for the
// sign-for deadline before it).
func overdueFor(c models.Case, d time.Time) bool {
	return !c.OverdueAt.IsZero() && !c.OverdueAt.Before(d)
}

// lastEscalation returns when the case was last escalated.
func lastEscalation(c models.Case) time.Time {
	if c.EscalatedAt.IsZero() {
		return c.OverdueAt
	}
	return c.EscalatedAt
}

// pick returns a when cond holds, else b.
func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// supervise applies a chase (催办) or an escalation (督办) to the change. The system's steps set
// the case's supervision fields for its running deadline and notify under keys naming the step
// (the deadline and the level), so that a retried step never notifies twice; a platform
// operator's or supervisor's own chase or escalation only notifies.
func (ch *change) supervise() error {
	d, _ := runningDeadline(ch.c)
	if ch.req.Actor.Role != models.RoleSystem {
		return ch.superviseByHand(d)
	}
	if d.IsZero() {
		return models.Errorf(models.EConflict, "case %s has no running deadline", ch.c.TrackingNo)
	}
	if ch.req.Action == models.ActionChase {
		return ch.chase(d)
	}
	return ch.escalate(d)
}

// chase records the chase for deadline d and tells the assignee (or the team).
func (ch *change) chase(d time.Time) error {
	if !ch.now.Before(d) {
		return models.Errorf(models.EConflict, "case %s passed its deadline before the chase", ch.c.TrackingNo)
	}
	people, err := ch.chasedPeople()
	if err != nil {
		return err
	}
	ch.c.ChasedAt = ch.now
	ch.notifyStep(models.NoticeChase, fmt.Sprintf("d%d", d.Unix()), d, people)
	return nil
}

// escalate marks the case overdue for deadline d (level 1) or raises its escalation level, and
// tells the team's leaders and the platform, and from supervisorsFromLevel the supervisors.
func (ch *change) escalate(d time.Time) error {
	c := &ch.c
	if ch.now.Before(d) {
		return models.Errorf(models.EConflict, "case %s is not overdue", c.TrackingNo)
	}
	if overdueFor(*c, d) {
		c.EscalationLvl++
	} else {
		c.OverdueAt, c.EscalationLvl = ch.now, 1
	}
	c.EscalatedAt = ch.now
	people, err := ch.escalationPeople(c.EscalationLvl)
	if err != nil {
		return err
	}
	ch.notifyStep(models.NoticeEscalation, fmt.Sprintf("d%d:l%d", d.Unix(), c.EscalationLvl), d, people)
	return nil
}

// superviseByHand notifies for a chase or an escalation made by a person, with the key of this
// version of the case; it changes no supervision field.
func (ch *change) superviseByHand(d time.Time) error {
	kind, note, people, err := ch.byHand()
	if err != nil {
		return err
	}
	if ch.note == "" {
		ch.note = note
	}
	others := people[:0:0]
	for _, p := range people {
		if p.ID != ch.req.Actor.ID {
			others = append(others, p)
		}
	}
	ch.notifyStep(kind, fmt.Sprintf("v%d", ch.c.Version+1), d, others)
	return nil
}

// byHand returns the notice kind, default note and recipients of a chase or an escalation made
// by a person.
func (ch *change) byHand() (string, string, []models.Person, error) {
	if ch.req.Action == models.ActionEscalate {
		people, err := ch.escalationPeople(1)
		return models.NoticeEscalation, noteEscalateByHand, people, err
	}
	people, err := ch.chasedPeople()
	return models.NoticeChase, noteChaseByHand, people, err
}

// chasedPeople returns who is chased: the assignee when they can be reached, else the team's
// officers and leaders.
func (ch *change) chasedPeople() ([]models.Person, error) {
	if ch.c.AssigneeID != 0 {
		p, err := ch.w.store.PersonByID(ch.ctx, ch.c.AssigneeID)
		switch {
		case err == nil && reachable(p) != "":
			return []models.Person{p}, nil
		case err != nil && models.ErrorCodeOf(err) != models.ENotFound:
			return nil, err
		}
	}
	return ch.teamMembers(models.RoleOfficer, models.RoleTeamLeader), nil
}

// escalationPeople returns who hears of an escalation of a level: the team's leaders, the
// platform's operators and, from supervisorsFromLevel, the supervisors.
func (ch *change) escalationPeople(level int) ([]models.Person, error) {
	people := ch.teamMembers(models.RoleTeamLeader)
	for _, t := range ch.w.county().Teams {
		if t.Kind == models.TeamPlatform {
			people = append(people, withRole(ch.w.county().Members[t.Code], models.RolePlatformOperator)...)
		}
	}
	if level >= supervisorsFromLevel {
		sups, err := ch.w.store.PeopleByRole(ch.ctx, models.RoleSupervisor)
		if err != nil {
			return nil, err
		}
		people = append(people, sups...)
	}
	return people, nil
}

// teamMembers returns the members of the case's team holding one of the roles.
func (ch *change) teamMembers(roles ...models.Role) []models.Person {
	return withRole(ch.w.county().Members[ch.c.TeamCode], roles...)
}

// withRole returns the people holding one of the roles.
func withRole(people []models.Person, roles ...models.Role) []models.Person {
	var out []models.Person
	for _, p := range people {
		for _, r := range roles {
			if p.Role == r {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// notifyStep tells each person (once, however often listed) of a supervision step, showing
// deadline d, under dedup keys kind:trackingNo:step:recipient.
func (ch *change) notifyStep(kind, step string, d time.Time, people []models.Person) {
	n := ch.notice(true)
	n.Shortcuts = stepShortcuts(kind, ch.c.State, n.Shortcuts)
	if !d.IsZero() {
		n.Deadline = d.In(ch.w.loc).Format("2006-01-02 15:04")
	}
	seen := map[int64]bool{}
	for _, p := range people {
		if seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		before := len(ch.intents)
		ch.add(kind, p, n)
		for i := before; i < len(ch.intents); i++ {
			ch.intents[i].DedupKey = fmt.Sprintf("%s:%s:%s:%d", kind, ch.c.TrackingNo, step, p.ID)
		}
	}
}

// stepShortcuts keeps the shortcuts of a notice that a step's recipients can use: signing for
// the chased team, deciding a pending extension for the leaders and the platform.
func stepShortcuts(kind string, state models.State, shortcuts []string) []string {
	signing := state == models.StateDispatched || state == models.StateReopened
	deciding := state == models.StateExtensionRequested
	if (kind == models.NoticeChase && signing) || (kind == models.NoticeEscalation && deciding) {
		return shortcuts
	}
	return nil
}
