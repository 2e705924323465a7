package store

import (
	"context"
	"strings"
	"time"

	"gridbot/models"
)

type caseRow struct {
	ID               int64 `gorm:"primaryKey"`
	TrackingNo       string
	Kind             string
	Source           string
	Description      string
	Lat              *float64
	Lng              *float64
	Address          string
	GridCode         string
	VillageCode      string
	TownshipCode     string
	MatterCode       string
	Urgency          string
	Confidential     bool
	ReporterID       int64
	TeamCode         string
	AssigneeID       int64
	State            string
	RouteReason      string
	SignDeadline     *time.Time
	HandleDeadline   *time.Time
	MergedInto       int64
	ReturnCount      int
	ReworkCount      int
	Rating           int
	FinalRuling      bool
	ExtensionDays    int
	DispatchedAt     *time.Time
	ClosedAt         *time.Time
	ChasedAt         *time.Time
	OverdueAt        *time.Time
	EscalationLvl    int `gorm:"column:escalation_level"`
	EscalatedAt      *time.Time
	Version          int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
	RequestKind      string
	RequestTeams     string // ",code,code,": see codeList
	RequestFromTeam  string
	RequestFromState string
	RequestBy        int64
	JointTeams       string // as RequestTeams
	ContactPhone     string
	InboxKey         *string // NULL for a case not filed from a chat
}

func (caseRow) TableName() string { return "cases" }

// toCaseRow converts a case for storage.
func toCaseRow(c models.Case) caseRow {
	r := caseRow{
		ID: c.ID, TrackingNo: c.TrackingNo, Kind: string(c.Kind), Source: string(c.Source),
		Description: c.Description, Address: c.Location.Address, GridCode: c.Location.GridCode,
		VillageCode: c.Location.VillageCode, TownshipCode: c.Location.TownshipCode, MatterCode: c.MatterCode,
		Urgency: string(c.Urgency), Confidential: c.Confidential, ReporterID: c.ReporterID, TeamCode: c.TeamCode,
		AssigneeID: c.AssigneeID, State: string(c.State), RouteReason: c.RouteReason,
		SignDeadline: timePtr(c.SignDeadline), HandleDeadline: timePtr(c.HandleDeadline),
		MergedInto: c.MergedInto, ReturnCount: c.ReturnCount, ReworkCount: c.ReworkCount, Rating: c.Rating,
		FinalRuling: c.FinalRuling, ExtensionDays: c.ExtensionDays, DispatchedAt: timePtr(c.DispatchedAt),
		ClosedAt: timePtr(c.ClosedAt), ChasedAt: timePtr(c.ChasedAt), OverdueAt: timePtr(c.OverdueAt),
		EscalationLvl: c.EscalationLvl, EscalatedAt: timePtr(c.EscalatedAt),
		Version: c.Version, CreatedAt: models.EventTime(c.CreatedAt), UpdatedAt: models.EventTime(c.UpdatedAt),
		RequestKind: string(c.Pending.Kind), RequestTeams: codeList(c.Pending.Teams), RequestFromTeam: c.Pending.FromTeam,
		RequestFromState: string(c.Pending.FromState), RequestBy: c.Pending.ByID, JointTeams: codeList(c.JointTeams),
		ContactPhone: c.ContactPhone,
	}
	if p := c.Location.Point; p != nil {
		r.Lat, r.Lng = &p.Lat, &p.Lng
	}
	if c.InboxKey != "" {
		key := c.InboxKey
		r.InboxKey = &key
	}
	return r
}

// toCase converts a stored case.
func (r caseRow) toCase() models.Case {
	c := models.Case{
		ID: r.ID, TrackingNo: r.TrackingNo, Kind: models.CaseKind(r.Kind), Source: models.Source(r.Source),
		Description: r.Description,
		Location: models.Location{Address: r.Address, GridCode: r.GridCode, VillageCode: r.VillageCode,
			TownshipCode: r.TownshipCode},
		MatterCode: r.MatterCode, Urgency: models.Urgency(r.Urgency), Confidential: r.Confidential,
		ReporterID: r.ReporterID, TeamCode: r.TeamCode, AssigneeID: r.AssigneeID, State: models.State(r.State),
		RouteReason: r.RouteReason, SignDeadline: timeVal(r.SignDeadline), HandleDeadline: timeVal(r.HandleDeadline),
		MergedInto: r.MergedInto, ReturnCount: r.ReturnCount, ReworkCount: r.ReworkCount, Rating: r.Rating,
		FinalRuling: r.FinalRuling, ExtensionDays: r.ExtensionDays, DispatchedAt: timeVal(r.DispatchedAt),
		ClosedAt: timeVal(r.ClosedAt), ChasedAt: timeVal(r.ChasedAt), OverdueAt: timeVal(r.OverdueAt),
		EscalationLvl: r.EscalationLvl, EscalatedAt: timeVal(r.EscalatedAt),
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Pending: models.PendingRequest{Kind: models.Action(r.RequestKind), Teams: codes(r.RequestTeams),
			FromTeam: r.RequestFromTeam, FromState: models.State(r.RequestFromState), ByID: r.RequestBy},
		JointTeams: codes(r.JointTeams), ContactPhone: r.ContactPhone,
	}
	if r.Lat != nil && r.Lng != nil {
		c.Location.Point = &models.Point{Lat: *r.Lat, Lng: *r.Lng}
	}
	if r.InboxKey != nil {
		c.InboxKey = *r.InboxKey
	}
	return c
}

// CreateCase stores a new case (its TrackingNo already allocated) with its first event, the
// attachments that event names and the notification intents it causes, in one transaction. The first event's states and the case's
// version are set here.
func (s *Store) CreateCase(ctx context.Context, c models.Case, ev models.Event, intents []models.Intent) (models.Case, error) {
	ev.FromState, ev.ToState = "", c.State
	return s.CreateCaseSteps(ctx, c, []models.Event{ev}, intents)
}

// CreateCaseSteps stores a new case (its TrackingNo already allocated) as it stands after a
// series of steps, in one transaction: the events in order (the first creates it: its states
// are "" and the state it was created in), the attachments they name and the intents they
// cause. The case's version is the number of events; the last event must end in its state.
// A case whose InboxKey another case has already is models.EConflict, and nothing of it is
// stored: CaseByInboxKey finds the one there.
func (s *Store) CreateCaseSteps(ctx context.Context, c models.Case, evs []models.Event, intents []models.Intent) (models.Case, error) {
	created, err := s.createCaseSteps(ctx, c, evs, intents)
	if err == nil && !s.inTx {
		s.committedCase(created)
	}
	return created, err
}

// createCaseSteps is CreateCaseSteps without the fault injection after its commit.
func (s *Store) createCaseSteps(ctx context.Context, c models.Case, evs []models.Event, intents []models.Intent) (models.Case, error) {
	if c.TrackingNo == "" {
		return models.Case{}, models.Errorf(models.EInvalid, "case has no tracking number")
	}
	if len(evs) == 0 {
		return models.Case{}, models.Errorf(models.EInvalid, "case %s has no first event", c.TrackingNo)
	}
	now := models.EventTime(time.Now())
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	c.UpdatedAt = c.CreatedAt
	if len(evs) > 1 {
		c.UpdatedAt = now // as UpdateCase stamps a later step
	}
	c.Version = int64(len(evs))
	r := toCaseRow(c)
	r.ID = 0
	if s.multi != nil && !s.inTx {
		for i := range evs {
			if evs[i].At.IsZero() {
				evs[i].At = c.CreatedAt
			}
		}
		evs[0].FromState = ""
		rows, err := toIntentRows(0, intents)
		if err == nil {
			err = s.createCaseInOneTrip(ctx, &r, evs, rows)
		}
		if err != nil {
			return models.Case{}, err
		}
		return r.toCase(), nil
	}
	err := s.InTx(ctx, func(tx *Store) error {
		if err := tx.insertCase(ctx, &r); err != nil {
			return err
		}
		c.ID = r.ID
		evs[0].FromState = ""
		for i := range evs {
			evs[i].CaseID = c.ID
			if evs[i].At.IsZero() {
				evs[i].At = c.CreatedAt
			}
		}
		if err := tx.insertHistory(ctx, evs); err != nil {
			return err
		}
		return tx.addIntents(ctx, c.ID, intents)
	})
	if err != nil {
		return models.Case{}, err
	}
	return r.toCase(), nil // as stored: no need to read it back
}

// insertCaseSQL inserts a new case row: its columns, and the placeholders of caseArgs.
var insertCaseSQL = "INSERT INTO cases (tracking_no, kind, source, description, lat, lng, address, grid_code, " +
	"village_code, township_code, matter_code, urgency, confidential, reporter_id, team_code, assignee_id, state, " +
	"route_reason, sign_deadline, handle_deadline, merged_into, return_count, rework_count, rating, final_ruling, " +
	"extension_days, dispatched_at, closed_at, chased_at, overdue_at, escalation_level, escalated_at, version, " +
	"created_at, updated_at, request_kind, request_teams, request_from_team, request_from_state, request_by, " +
	"joint_teams, contact_phone, inbox_key) VALUES (?" + strings.Repeat(", ?", 42) + ")"

// caseArgs are the placeholders' values of insertCaseSQL.
func caseArgs(r *caseRow) []any {
	return []any{r.TrackingNo, r.Kind, r.Source, r.Description, r.Lat, r.Lng, r.Address, r.GridCode, r.VillageCode,
		r.TownshipCode, r.MatterCode, r.Urgency, r.Confidential, r.ReporterID, r.TeamCode, r.AssigneeID, r.State,
		r.RouteReason, r.SignDeadline, r.HandleDeadline, r.MergedInto, r.ReturnCount, r.ReworkCount, r.Rating,
		r.FinalRuling, r.ExtensionDays, r.DispatchedAt, r.ClosedAt, r.ChasedAt, r.OverdueAt, r.EscalationLvl,
		r.EscalatedAt, r.Version, r.CreatedAt, r.UpdatedAt, r.RequestKind, r.RequestTeams, r.RequestFromTeam,
		r.RequestFromState, r.RequestBy, r.JointTeams, r.ContactPhone, r.InboxKey}
}

// insertCase inserts a new case row and sets its id (plain SQL: once per case, on the hot path).
func (s *Store) insertCase(ctx context.Context, r *caseRow) error {
	res, err := s.pool(ctx).ExecContext(ctx, insertCaseSQL, caseArgs(r)...)
	if err != nil {
		return translate(err, "case "+r.TrackingNo)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return translate(err, "case "+r.TrackingNo)
	}
	return nil
}

// record appends a case's event, links the attachments it names and writes the intents it
// causes; it runs in the transaction that changes the case.
func (s *Store) record(ctx context.Context, ev models.Event, intents []models.Intent) error {
	e, err := s.appendEvent(ctx, ev)
	if err != nil {
		return err
	}
	if err := s.LinkAttachments(ctx, ev.AttachmentIDs, ev.CaseID, e.ID); err != nil {
		return err
	}
	return s.addIntents(ctx, ev.CaseID, intents)
}

// UpdateCase writes a changed case if nobody changed it since it was read (its Version), with the
// event that changed it and the intents it causes, in one transaction. It returns the stored case
// with its new version; models.EConflict when someone else changed it first.
func (s *Store) UpdateCase(ctx context.Context, c models.Case, ev models.Event, intents []models.Intent) (models.Case, error) {
	err := s.InTx(ctx, func(tx *Store) error {
		r := toCaseRow(c)
		r.Version = c.Version + 1
		r.UpdatedAt = models.EventTime(time.Now())
		res := tx.conn(ctx).Model(&caseRow{}).Where("id = ? AND version = ?", c.ID, c.Version).
			Select("*").Omit("id", "created_at", "tracking_no", "inbox_key").Updates(&r)
		if res.Error != nil {
			return translate(res.Error, "case "+c.TrackingNo)
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.EConflict, "case %s was changed by someone else", c.TrackingNo)
		}
		ev.CaseID = c.ID
		return tx.record(ctx, ev, intents)
	})
	if err != nil {
		return models.Case{}, err
	}
	return s.CaseByID(ctx, c.ID)
}

// CaseByID returns a case; models.ENotFound if there is none.
func (s *Store) CaseByID(ctx context.Context, id int64) (models.Case, error) {
	var r caseRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return models.Case{}, translate(err, "case")
	}
	return r.toCase(), nil
}

// CaseByTrackingNo returns a case by its tracking number; models.ENotFound if there is none.
func (s *Store) CaseByTrackingNo(ctx context.Context, no string) (models.Case, error) {
	var r caseRow
	if err := s.conn(ctx).Where("tracking_no = ?", no).Take(&r).Error; err != nil {
		return models.Case{}, translate(err, "case "+no)
	}
	return r.toCase(), nil
}

// CaseByInboxKey returns the case filed by the processing of an inbox entry (by its dedup key);
// models.ENotFound if there is none.
func (s *Store) CaseByInboxKey(ctx context.Context, key string) (models.Case, error) {
	var r caseRow
	if err := s.conn(ctx).Where("inbox_key = ?", key).Take(&r).Error; err != nil {
		return models.Case{}, translate(err, "case of inbox entry "+key)
	}
	return r.toCase(), nil
}

// CasesByReporter returns the cases a person reported, newest first.
func (s *Store) CasesByReporter(ctx context.Context, personID int64, limit int) ([]models.Case, error) {
	var rows []caseRow
	err := s.conn(ctx).Where("reporter_id = ?", personID).Order("id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "cases")
	}
	return toCases(rows), nil
}

// toCases converts stored cases.
func toCases(rows []caseRow) []models.Case {
	out := make([]models.Case, len(rows))
	for i, r := range rows {
		out[i] = r.toCase()
	}
	return out
}

// codeList stores team codes as ",a,b," ("" for none), so that a query finds a code with
// LIKE '%,code,%' (see scoped).
func codeList(cs []string) string {
	if len(cs) == 0 {
		return ""
	}
	return "," + strings.Join(cs, ",") + ","
}

// codes reads a codeList; nil for none.
func codes(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// timePtr returns nil for the zero time so that the column holds NULL.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := models.EventTime(t) // as the database keeps it: microseconds, UTC
	return &u
}

// timeVal returns the zero time for NULL.
func timeVal(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// CasesAfter returns up to limit cases with ids above afterID, in id order (for paging through all).
func (s *Store) CasesAfter(ctx context.Context, afterID int64, limit int) ([]models.Case, error) {
	var rows []caseRow
	if err := s.conn(ctx).Where("id > ?", afterID).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "cases")
	}
	return toCases(rows), nil
}
