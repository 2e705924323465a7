package workflow

import (
	"strings"

	"gridbot/models"
)

// A reporter who is not confidential may leave a mobile number: it is kept on the case and shown
// only to the staff of the team that has the case, on their cards.

// contactPhone returns the draft's contact number in its plain form: refused when it is not a
// mainland mobile number, or when the reporter asked to stay confidential.
func contactPhone(nc models.NewCase) (string, error) {
	if strings.TrimSpace(nc.ContactPhone) == "" {
		return "", nil
	}
	if nc.Confidential {
		return "", models.Errorf(models.EInvalid, "a confidential case keeps no contact phone")
	}
	phone, ok := models.NormalizeMobile(nc.ContactPhone)
	if !ok {
		return "", models.Errorf(models.EInvalid, "the contact phone is not a mainland mobile number (11 digits, 1[3-9]…)")
	}
	return phone, nil
}
