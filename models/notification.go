package models

import "slices"

// The kinds of notification intents: what happened, for whom.
const (
	NoticeReceived          = "case_received"           // reporter: received, with tracking number
	NoticeStatus            = "case_status"             // reporter and followers: the case moved on
	NoticeDispatched        = "case_dispatched"         // team: a case to sign for (the dispatch card)
	NoticeAssigned          = "case_assigned"           // an officer: the leader gave you a case
	NoticeVerify            = "case_verify"             // verifier: please check the result (核查)
	NoticeTriage            = "case_triage"             // platform: a case waits for classification (待分流)
	NoticeReturned          = "case_returned"           // platform: a team returned a case
	NoticeRequest           = "case_request"            // platform/leaders: transfer, joint enforcement or extension asked, or a team's answer to a transfer or joint request
	NoticeExtensionDecision = "case_extension_decision" // assignee: extension approved or refused
	NoticeChase             = "case_chase"              // assignee: 80 % of the time is spent, or the reporter urges (催办)
	NoticeEscalation        = "case_escalation"         // leader, platform, supervisors: overdue (督办)
)

// Notice is the payload of a notification intent: what the message shows. It never carries the
// reporter's identity; Contact is filled only for staff and only when the reporter is not
// confidential.
type Notice struct {
	TrackingNo  string   `json:"tracking_no"`
	CaseKind    CaseKind `json:"case_kind"`
	Matter      string   `json:"matter,omitempty"`
	Place       string   `json:"place,omitempty"`
	Description string   `json:"description,omitempty"`
	State       State    `json:"state"`
	Action      Action   `json:"action,omitempty"`
	Note        string   `json:"note,omitempty"`
	Deadline    string   `json:"deadline,omitempty"` // local time, "2006-01-02 15:04"
	Contact     string   `json:"contact,omitempty"`
	Shortcuts   []string `json:"shortcuts,omitempty"` // replies that act on the case from the message
	// Result is the handling result shown to the reporter and followers of a handled or closed
	// case, with phone numbers and staff names filtered out.
	Result string `json:"result,omitempty"`
	// NoRating leaves the rating request out of a closed case's notice: for followers, and for a
	// reporter who closed the case themselves.
	NoRating bool `json:"no_rating,omitempty"`
}

// Equal reports whether two notices say the same.
func (n Notice) Equal(o Notice) bool {
	return n.TrackingNo == o.TrackingNo && n.CaseKind == o.CaseKind && n.Matter == o.Matter && n.Place == o.Place &&
		n.Description == o.Description && n.State == o.State && n.Action == o.Action && n.Note == o.Note &&
		n.Deadline == o.Deadline && n.Contact == o.Contact && slices.Equal(n.Shortcuts, o.Shortcuts) &&
		n.Result == o.Result && n.NoRating == o.NoRating
}
