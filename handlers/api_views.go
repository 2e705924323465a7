package handlers

import (
	"strconv"
	"time"

	"gridbot/models"
)

// caseView is a case as the API shows it. The reporter's id appears only to platform operators
// and only when the case is not confidential; nobody else ever learns who reported. The
// reporter's contact phone appears only to the staff of the team that has the case.
type caseView struct {
	TrackingNo     string          `json:"tracking_no"`
	Kind           models.CaseKind `json:"kind"`
	Source         models.Source   `json:"source"`
	Description    string          `json:"description"`
	Location       locationView    `json:"location"`
	MatterCode     string          `json:"matter_code,omitempty"`
	Urgency        models.Urgency  `json:"urgency"`
	Confidential   bool            `json:"confidential"`
	ReporterID     int64           `json:"reporter_id,omitempty"`
	TeamCode       string          `json:"team_code,omitempty"`
	AssigneeID     int64           `json:"assignee_id,omitempty"`
	State          models.State    `json:"state"`
	StateName      string          `json:"state_name"`
	RouteReason    string          `json:"route_reason,omitempty"`
	SignDeadline   *time.Time      `json:"sign_deadline,omitempty"`
	HandleDeadline *time.Time      `json:"handle_deadline,omitempty"`
	Overdue        bool            `json:"overdue"`
	MergedInto     string          `json:"merged_into,omitempty"`
	ReturnCount    int             `json:"return_count"`
	ReworkCount    int             `json:"rework_count"`
	Rating         int             `json:"rating,omitempty"`
	FinalRuling    bool            `json:"final_ruling"`
	ExtensionDays  int             `json:"extension_days,omitempty"`
	EscalationLvl  int             `json:"escalation_level"`
	DispatchedAt   *time.Time      `json:"dispatched_at,omitempty"`
	ClosedAt       *time.Time      `json:"closed_at,omitempty"`
	Version        int64           `json:"version"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	PendingRequest *requestView    `json:"pending_request,omitempty"`
	JointTeams     []string        `json:"joint_teams,omitempty"`
	ContactPhone   string          `json:"contact_phone,omitempty"` // for the staff of the team that has the case only
}

// locationView is where a case happened.
type locationView struct {
	Lat          *float64 `json:"lat,omitempty"`
	Lng          *float64 `json:"lng,omitempty"`
	Address      string   `json:"address,omitempty"`
	GridCode     string   `json:"grid_code,omitempty"`
	VillageCode  string   `json:"village_code,omitempty"`
	TownshipCode string   `json:"township_code,omitempty"`
}

// eventView is one step of a case's history; the actor's id is left out when the actor is a
// reporter the viewer may not know.
type eventView struct {
	Seq           int           `json:"seq"`
	Action        models.Action `json:"action"`
	ActionName    string        `json:"action_name"`
	FromState     models.State  `json:"from_state,omitempty"`
	ToState       models.State  `json:"to_state"`
	ActorRole     models.Role   `json:"actor_role"`
	ActorID       int64         `json:"actor_id,omitempty"`
	Note          string        `json:"note,omitempty"`
	AttachmentIDs []int64       `json:"attachment_ids"`
	At            time.Time     `json:"at"`
}

// attachmentView is a piece of evidence: its fingerprint, not where it is kept.
type attachmentView struct {
	ID         int64     `json:"id"`
	EventID    int64     `json:"event_id,omitempty"`
	MIMEType   string    `json:"mime_type,omitempty"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256,omitempty"`
	Fetched    bool      `json:"fetched"`
	FetchError string    `json:"fetch_error,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// caseListView is one page of cases.
type caseListView struct {
	Cases  []caseView `json:"cases"`
	Total  int64      `json:"total"`
	Limit  int        `json:"limit"`
	Offset int        `json:"offset"`
}

// caseDetailView is a case with its history and evidence.
type caseDetailView struct {
	Case        caseView         `json:"case"`
	Events      []eventView      `json:"events"`
	Attachments []attachmentView `json:"attachments"`
}

// verifyView reports whether a case's hash chain holds.
type verifyView struct {
	TrackingNo     string `json:"tracking_no"`
	Events         int    `json:"events"`
	Intact         bool   `json:"intact"`
	FirstBrokenSeq int    `json:"first_broken_seq,omitempty"`
}

// showsReporter reports whether a viewer may learn who reported a case.
func showsReporter(viewer models.Person, c models.Case) bool {
	return viewer.Role == models.RolePlatformOperator && !c.Confidential
}

// view converts a case for a viewer at a time, in the API's time zone.
func (a *api) view(viewer models.Person, c models.Case, now time.Time) caseView {
	v := caseView{
		TrackingNo: c.TrackingNo, Kind: c.Kind, Source: c.Source, Description: c.Description,
		Location: locationView{Address: c.Location.Address, GridCode: c.Location.GridCode,
			VillageCode: c.Location.VillageCode, TownshipCode: c.Location.TownshipCode},
		MatterCode: c.MatterCode, Urgency: c.Urgency, Confidential: c.Confidential, TeamCode: c.TeamCode,
		AssigneeID: c.AssigneeID, State: c.State, StateName: c.State.Chinese(), RouteReason: c.RouteReason,
		SignDeadline: a.optTime(c.SignDeadline), HandleDeadline: a.optTime(c.HandleDeadline),
		Overdue:     c.State.ClockRunning() && !c.HandleDeadline.IsZero() && now.After(c.HandleDeadline),
		ReturnCount: c.ReturnCount, ReworkCount: c.ReworkCount, Rating: c.Rating, FinalRuling: c.FinalRuling,
		ExtensionDays: c.ExtensionDays, EscalationLvl: c.EscalationLvl, DispatchedAt: a.optTime(c.DispatchedAt),
		ClosedAt: a.optTime(c.ClosedAt), Version: c.Version, CreatedAt: c.CreatedAt.In(a.Location),
		UpdatedAt: c.UpdatedAt.In(a.Location),
	}
	if p := c.Location.Point; p != nil {
		v.Location.Lat, v.Location.Lng = &p.Lat, &p.Lng
	}
	if showsReporter(viewer, c) {
		v.ReporterID = c.ReporterID
	}
	v.PendingRequest, v.JointTeams, v.ContactPhone = pendingView(c.Pending), c.JointTeams, c.ContactFor(viewer)
	return v
}

// eventViews converts a case's history for a viewer.
func (a *api) eventViews(viewer models.Person, c models.Case, events []models.Event) []eventView {
	out := make([]eventView, len(events))
	for i, e := range events {
		ids := e.AttachmentIDs
		if ids == nil {
			ids = []int64{}
		}
		out[i] = eventView{Seq: e.Seq, Action: e.Action, ActionName: e.Action.Chinese(), FromState: e.FromState,
			ToState: e.ToState, ActorRole: e.ActorRole, ActorID: e.ActorID, Note: e.Note, AttachmentIDs: ids,
			At: e.At.In(a.Location)}
		if e.ActorID != 0 && e.ActorID == c.ReporterID && !showsReporter(viewer, c) {
			out[i].ActorID = 0
		}
	}
	return out
}

// attachmentViews converts a case's attachments.
func (a *api) attachmentViews(atts []models.Attachment) []attachmentView {
	out := make([]attachmentView, len(atts))
	for i, at := range atts {
		out[i] = attachmentView{ID: at.ID, EventID: at.EventID, MIMEType: at.MIMEType, Size: at.Size,
			SHA256: at.SHA256, Fetched: at.Path != "", FetchError: at.FetchError, CreatedAt: at.CreatedAt.In(a.Location)}
	}
	return out
}

// optTime returns nil for the zero time, else the time in the API's zone.
func (a *api) optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.In(a.Location)
	return &u
}

// etag is a case version as an entity tag, for If-Match.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }
