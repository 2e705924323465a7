package workflow_test

import (
	"context"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/workflow"
)

// redeemingRecords are records whose binding codes redeem as redeem says; nothing else is read.
type redeemingRecords struct {
	workflow.Records
	redeem func(openID, code string) (models.Person, error)
}

// RedeemBindingCode answers from redeem.
func (r redeemingRecords) RedeemBindingCode(_ context.Context, openID, code string, _ time.Time) (models.Person, error) {
	return r.redeem(openID, code)
}

// countingSnapshot counts how often the county snapshot was dropped.
type countingSnapshot struct{ dropped int }

// Invalidate counts the call.
func (c *countingSnapshot) Invalidate() { c.dropped++ }

func TestServiceDropsTheCountySnapshotAfterABindingOnly(t *testing.T) {
	officer := models.Person{ID: 7, Name: "林队员", Role: models.RoleOfficer, OpenID: "oOfficer"}
	tests := []struct {
		name    string
		err     error
		code    models.ErrorCode
		dropped int
	}{
		{"bound", nil, "", 1},
		{"wrong code", models.Errorf(models.ENotFound, "no such code"), models.ENotFound, 0},
		{"openid of other staff", models.Errorf(models.EConflict, "bound to another"), models.EConflict, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := &countingSnapshot{}
			records := redeemingRecords{redeem: func(openID, code string) (models.Person, error) {
				if openID != "oOfficer" || code != "K7Q2M9" {
					t.Fatalf("redeemed %q for %q", code, openID)
				}
				if tt.err != nil {
					return models.Person{}, tt.err
				}
				return officer, nil
			}}
			s := workflow.NewService(nil, records, snap)
			p, err := s.RedeemBindingCode(context.Background(), "oOfficer", "K7Q2M9", time.Now())
			if models.ErrorCodeOf(err) != tt.code || (tt.err == nil && p.ID != officer.ID) {
				t.Fatalf("redeemed %+v, %v: want person %d, code %q", p, err, officer.ID, tt.code)
			}
			if snap.dropped != tt.dropped {
				t.Fatalf("the county snapshot was dropped %d times, want %d", snap.dropped, tt.dropped)
			}
		})
	}
}
