package models

import (
	"encoding/json"
	"time"
)

// CaseKind says what the reporter filed.
type CaseKind string

// The kinds of case.
const (
	KindReport    CaseKind = "report"    // 问题上报, from a grid worker or officer
	KindComplaint CaseKind = "complaint" // 投诉
	KindTip       CaseKind = "tip"       // 举报
)

// Valid reports whether k is a known case kind.
func (k CaseKind) Valid() bool { return k == KindReport || k == KindComplaint || k == KindTip }

// Source says through whom a case came in.
type Source string

// The sources of a case.
const (
	SourceGridWorker Source = "grid_worker"
	SourceCitizen    Source = "citizen"
	SourceOfficer    Source = "officer"
	Source12345      Source = "12345"
)

// Valid reports whether s is a known source.
func (s Source) Valid() bool {
	return s == SourceGridWorker || s == SourceCitizen || s == SourceOfficer || s == Source12345
}

// Location is where a case happened, as precisely as it is known.
type Location struct {
	Point        *Point // GCJ-02; nil when only an address or a grid is known
	Address      string
	GridCode     string
	VillageCode  string
	TownshipCode string
}

// Case is one problem, complaint or tip and its way through the closed loop.
type Case struct {
	ID             int64
	TrackingNo     string
	Kind           CaseKind
	Source         Source
	Description    string
	Location       Location
	MatterCode     string
	Urgency        Urgency
	Confidential   bool  // the reporter's identity is hidden from handlers
	ReporterID     int64 // 0 for 12345 cases without a person
	TeamCode       string
	AssigneeID     int64
	State          State
	RouteReason    string // the routing decision in words a supervisor can read
	SignDeadline   time.Time
	HandleDeadline time.Time
	MergedInto     int64
	ReturnCount    int
	ReworkCount    int
	Rating         int
	FinalRuling    bool // assigned for good by the platform's final ruling (终审): no more returns
	ExtensionDays  int  // working days of a pending extension request
	DispatchedAt   time.Time
	ClosedAt       time.Time
	ChasedAt       time.Time // when the assignee was chased (催办) for the current deadline
	OverdueAt      time.Time // when the case was marked overdue
	EscalationLvl  int       // how many times it was escalated (督办) for the current deadline
	EscalatedAt    time.Time
	Version        int64 // optimistic lock: bumped by every change
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// Pending is a transfer or joint enforcement request waiting for the receiving teams' decision.
	Pending PendingRequest
	// JointTeams are the codes of the teams that agreed to joint enforcement (联合执法).
	JointTeams []string
	// ContactPhone is the mobile number a reporter who is not confidential left for staff (never
	// set on a confidential case); only the staff of the team that has the case see it.
	ContactPhone string
	// InboxKey is the dedup key of the inbox entry whose processing filed the case ("" for a case
	// not filed from a chat); at most one case has a given key.
	InboxKey string
}

// Event is one entry of a case's append-only, hash-chained history.
type Event struct {
	ID            int64
	CaseID        int64
	Seq           int // 1 for the first event of a case
	ActorID       int64
	ActorRole     Role
	Action        Action
	FromState     State
	ToState       State
	Note          string
	AttachmentIDs []int64
	At            time.Time
	PrevHash      string // hex sha256 of the previous event, "" for the first
	Hash          string // hex sha256 over PrevHash and this event's canonical content
}

// Attachment is a file of evidence: a photo or a voice message fetched from WeChat.
type Attachment struct {
	ID         int64
	CaseID     int64
	EventID    int64
	Path       string // the blob key, such as media/2026/12/<sha256>.jpg (relative to the data directory with GRIDBOT_MEDIA_STORE=dir)
	SHA256     string
	MIMEType   string
	Size       int64
	MediaID    string // WeChat media id; expires 3 days after upload
	FetchError string // why the download failed, if it did
	CreatedAt  time.Time
}

// IntentState is where a notification intent stands.
type IntentState string

// The states of a notification intent.
const (
	IntentPending IntentState = "pending"
	IntentSending IntentState = "sending"
	IntentSent    IntentState = "sent"
	IntentFailed  IntentState = "failed"
)

// Intent is a notification to deliver: written in the same transaction as its cause (the outbox).
type Intent struct {
	ID            int64
	RecipientID   int64
	Channel       Channel
	Kind          string // the notification kind, e.g. "case_received"
	CaseID        int64
	DedupKey      string // unique: the same step never notifies twice
	Payload       json.RawMessage
	State         IntentState
	Attempts      int
	NextAttemptAt time.Time
	// Paced is set once the notice has taken its turn under its recipient's rate limit (when
	// written, or when first claimed): it is not booked again.
	Paced     bool
	LastError string
	CreatedAt time.Time
	SentAt    time.Time
	// Claim is the token of the claim that holds the intent while it is being sent (set when
	// claimed, unique to that claim): its outcome is recorded under it.
	Claim string
}

// NewCase is what a reporter has told us when they submit: the draft that becomes a case.
type NewCase struct {
	Kind          CaseKind
	Source        Source
	Description   string
	Location      Location
	MatterCode    string // "" when the reporter did not know: the platform classifies it
	Confidential  bool
	ReporterID    int64
	Reporter      *Person // the reporter as the caller read them, if it did (else read by ReporterID)
	AttachmentIDs []int64
	Acknowledged  bool // the reporter saw the tracking number in the conversation: no receipt message
	// ContactPhone is a mainland mobile number (any form NormalizeMobile accepts) for staff to
	// call back; "" for none. A confidential case may not have one.
	ContactPhone string
	// InboxKey is the dedup key of the inbox entry being processed ("" when not from a chat): a
	// second submission with the same key returns the case the first one created.
	InboxKey string
}

// ContactFor returns the reporter's contact phone as a person may see it: only the staff of the
// team that has the case see it, and a confidential case has none.
func (c Case) ContactFor(p Person) string {
	if c.Confidential || !p.Role.EnforcementPost() || p.TeamCode == "" || p.TeamCode != c.TeamCode {
		return ""
	}
	return c.ContactPhone
}
