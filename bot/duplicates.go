package bot

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"gridbot/models"
)

// duplicate finds an open case of the draft's matter near its place: within the radius of its
// point, or in the same village when either has no point.
func (b *Bot) duplicate(t *turn) (models.Case, bool, error) {
	s := t.sess
	if s.MatterCode == "" || s.Location == nil || s.Location.TownshipCode == "" || b.cfg.DuplicateRadius <= 0 {
		return models.Case{}, false, nil
	}
	var before int64
	for page := range duplicatePages {
		size := duplicatePage
		if page == 0 {
			size = duplicateFirstPage
		}
		cands, err := b.cases.OpenCasesOfMatter(t.ctx, s.MatterCode, s.Location.TownshipCode, before, size)
		if err != nil {
			return models.Case{}, false, err
		}
		for _, c := range cands {
			if c.ReporterID != t.person.ID && b.near(*s.Location, c.Location) {
				return c, true, nil
			}
		}
		if len(cands) < size {
			break
		}
		before = cands[len(cands)-1].ID
	}
	return models.Case{}, false, nil
}

// The newest open cases of the matter in the township are looked at for a duplicate, a page at
// a time, 52 at most: the nearest one is usually among the first few, so the first page is small.
const (
	duplicateFirstPage = 4
	duplicatePage      = 12
	duplicatePages     = 5
)

// near reports whether two places are within the duplicate radius.
func (b *Bot) near(a, c models.Location) bool {
	if a.Point != nil && c.Point != nil {
		d := geo.Distance(orb.Point{a.Point.Lng, a.Point.Lat}, orb.Point{c.Point.Lng, c.Point.Lat})
		return d <= b.cfg.DuplicateRadius
	}
	return a.VillageCode != "" && a.VillageCode == c.VillageCode
}

// offerDuplicate asks whether to follow an existing case instead of filing a new one.
func (b *Bot) offerDuplicate(t *turn, c models.Case) string {
	t.sess.Awaiting, t.sess.DuplicateNo, t.sess.DuplicateOffered = waitDuplicate, c.TrackingNo, true
	return duplicateOffer(c.TrackingNo, b.matterName(c.MatterCode), b.placeName(c.Location), c.State.Chinese())
}

// answerDuplicate follows the existing case (1) or goes on with the new report (2).
func (b *Bot) answerDuplicate(t *turn, text string) (string, error) {
	n, _ := choice(text)
	switch {
	case n == 1 || oneOf(text, "关注", "关注该案件", "关注它"):
		c, err := b.cases.CaseByTrackingNo(t.ctx, t.sess.DuplicateNo)
		if err != nil {
			return "", err
		}
		if err := b.cases.Follow(t.ctx, c.ID, t.person.ID); err != nil {
			return "", err
		}
		t.sess = nil
		return followed(c.TrackingNo), nil
	case n == 2 || oneOf(text, "仍然提交", "提交", "单独提交", "仍然单独提交") || oneOf(text, wordsSkip()...):
		t.sess.DuplicateNo = ""
		return b.question(t), nil
	}
	return msgDuplicateAgain, nil
}
