package models

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Urgency ranks how fast a matter or case must be handled.
type Urgency string

// The urgency levels (一般, 紧急, 特急).
const (
	UrgencyNormal   Urgency = "normal"
	UrgencyUrgent   Urgency = "urgent"
	UrgencyCritical Urgency = "critical"
)

// Valid reports whether u is a known urgency.
func (u Urgency) Valid() bool {
	return u == UrgencyNormal || u == UrgencyUrgent || u == UrgencyCritical
}

// LimitUnit says how a time limit is counted on the working-time calendar.
type LimitUnit string

// The units of a time limit.
const (
	WorkingHours LimitUnit = "h"
	WorkingDays  LimitUnit = "d"
)

// TimeLimit is a time limit in working hours or working days, written "8h" or "5d".
type TimeLimit struct {
	Amount int
	Unit   LimitUnit
}

// ParseTimeLimit reads "Nh" (working hours) or "Nd" (working days) with N > 0.
func ParseTimeLimit(s string) (TimeLimit, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return TimeLimit{}, Errorf(EInvalid, "time limit %q: want Nh (working hours) or Nd (working days)", s)
	}
	unit := LimitUnit(s[len(s)-1:])
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || (unit != WorkingHours && unit != WorkingDays) {
		return TimeLimit{}, Errorf(EInvalid, "time limit %q: want Nh (working hours) or Nd (working days)", s)
	}
	return TimeLimit{Amount: n, Unit: unit}, nil
}

// String writes the limit back as "Nh" or "Nd"; the zero limit is "".
func (l TimeLimit) String() string {
	if l.Amount == 0 {
		return ""
	}
	return fmt.Sprintf("%d%s", l.Amount, l.Unit)
}

// Matter is one enforcement matter of the catalogue (赋权事项目录).
type Matter struct {
	Code           string
	Name           string
	DepartmentCode string
	Keywords       []string // words people use, for suggesting the matter from free text
	Synonyms       []string // formal variants of the name
	LegalBasis     string
	Urgency        Urgency
	SignLimit      TimeLimit // to sign for (签收) after dispatch
	HandleLimit    TimeLimit // to finish handling after dispatch
}

// Situation is one of the five delegation situations of the 5433 mechanism.
type Situation string

// The five situations (5 种下放情形).
const (
	SituationPriority  Situation = "priority"  // 优先下放
	SituationAssessed  Situation = "assessed"  // 评估下放
	SituationDeferred  Situation = "deferred"  // 暂缓下放
	SituationStatutory Situation = "statutory" // 依法下放
	SituationWhole     Situation = "whole"     // 整体下放
)

// Situations lists the five situations in the seed document's order.
func Situations() []Situation {
	return []Situation{SituationPriority, SituationAssessed, SituationDeferred, SituationStatutory, SituationWhole}
}

var situationNames = map[Situation]string{
	SituationPriority:  "优先下放",
	SituationAssessed:  "评估下放",
	SituationDeferred:  "暂缓下放",
	SituationStatutory: "依法下放",
	SituationWhole:     "整体下放",
}

// Chinese returns the situation's name in the seed document.
func (s Situation) Chinese() string { return situationNames[s] }

// ParseSituation accepts the English key or the Chinese name of a situation.
func ParseSituation(s string) (Situation, error) {
	for k, zh := range situationNames {
		if s == string(k) || s == zh {
			return k, nil
		}
	}
	return "", Errorf(EInvalid, "situation %q: want one of priority 优先下放, assessed 评估下放, deferred 暂缓下放, statutory 依法下放, whole 整体下放", s)
}

// Delegation records how one matter stands for one township.
type Delegation struct {
	TownshipCode string
	MatterCode   string
	Situation    Situation
	Delegated    bool
	Batch        int
	Effective    time.Time // the instant it takes effect: midnight of its date in the county's time zone
	RetainedBy   string    // for 暂缓下放: the dispatched agency that keeps the matter
}

// InForce reports whether the delegation hands the matter to the township at time t.
func (d Delegation) InForce(t time.Time) bool {
	return d.Delegated && d.Situation != SituationDeferred && !d.Effective.IsZero() && !t.Before(d.Effective)
}

// DelegatedAt answers "is matter M delegated to township T at time t": it returns the
// delegation record found for the pair (if any) and whether it is in force at t.
func DelegatedAt(delegations []Delegation, matterCode, townshipCode string, t time.Time) (Delegation, bool) {
	for _, d := range delegations {
		if d.MatterCode == matterCode && d.TownshipCode == townshipCode {
			return d, d.InForce(t)
		}
	}
	return Delegation{}, false
}

// Colloquial is a colloquial or dialect word of the county and the standard wording it means,
// which matter suggestion reads in its place (逐暝 → 每晚, 厝 → 房子).
type Colloquial struct {
	Say   string // as people write it
	Means string // the standard wording that the catalogue's words use
}
