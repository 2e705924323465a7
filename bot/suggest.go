package bot

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gridbot/models"
)

// Suggester ranks the catalogue's matters for a free-text description, deterministically.
//
// A description is first read with the county's colloquial list (逐暝 → 每晚, 厝 → 房子).
// A matter's score adds up three kinds of evidence from its name, keywords and synonyms,
// after folding full-width forms and punctuation: each word found whole in the text
// (6·n for n characters, so one long word of the place, 菜市场, does not outweigh two short
// ones of the act, 秤 and 一称), and each distinct pair of neighbouring Chinese characters and
// each single Chinese character the text shares with the matter's words, worth more the
// fewer matters use it (a pair 4 when one matter uses it down to 1 when four do; a single
// character 3 down to 1), so that "摊" says more than "车" and "烧稻秆" still finds
// 焚烧秸秆. Common function characters (的, 了, 在, …) count only inside whole words.
//
// It uses character pairs rather than a word segmenter: github.com/go-ego/gse (pure Go,
// Apache-2.0, builds on Go 1.26) embeds its dictionaries, +32 MB of binary, +135 MB of heap
// and 0.8 s to load the Chinese one, and cuts a long message in about 50 µs, seven times this
// whole scorer; with a small dictionary (build tag ne) it cuts in 120 µs, and it splits
// dialect wrongly (囝 仔攏) where pairs still meet the keywords.
type Suggester struct {
	matters    []models.Matter
	words      map[rune][]word    // whole words by their first character
	grams      map[gram][]posting // character pairs and single characters of the words
	colloquial map[rune][]reading // the county's colloquial words by their first character, longest first
	w          weights
}

// reading is a normalised colloquial word and the standard wording read in its place.
type reading struct {
	say   string
	means string
}

// Suggestion is a matter and how well it fits a description.
type Suggestion struct {
	Matter models.Matter
	Score  int
}

// word is one normalised word of a matter's vocabulary.
type word struct {
	text   string
	matter int
	weight int
}

// gram is a character pair, or a single character with a zero second rune.
type gram [2]rune

// posting says that a gram occurs in a matter's words and what it is worth there.
type posting struct {
	matter int
	weight int
}

// weights are the scorer's constants.
type weights struct {
	wordPerRune int    // a whole word of n characters scores wordPerRune·n
	pair        [9]int // a pair shared with the words of df matters scores pair[min(df,8)]
	single      [9]int // a single character likewise
}

// defaultWeights returns the weights the suggester uses.
func defaultWeights() weights {
	return weights{
		wordPerRune: 6,
		pair:        [9]int{0, 4, 3, 2, 1, 0, 0, 0, 0},
		single:      [9]int{0, 3, 2, 1, 0, 0, 0, 0, 0},
	}
}

// NewSuggester indexes the matters' names, keywords and synonyms, and the county's colloquial
// words, which a description is read with before it is scored.
func NewSuggester(matters []models.Matter, colloquial []models.Colloquial) *Suggester {
	return newSuggester(matters, colloquial, defaultWeights())
}

// newSuggester indexes the matters and colloquial words with the given weights.
func newSuggester(matters []models.Matter, colloquial []models.Colloquial, w weights) *Suggester {
	s := &Suggester{matters: slices.Clone(matters), words: map[rune][]word{}, grams: map[gram][]posting{},
		colloquial: readings(colloquial), w: w}
	slices.SortFunc(s.matters, func(a, b models.Matter) int { return strings.Compare(a.Code, b.Code) })
	df := map[gram]int{}
	perMatter := make([][]gram, len(s.matters))
	for i, m := range s.matters {
		for _, v := range vocabulary(m) {
			r, _ := utf8.DecodeRuneInString(v)
			n := utf8.RuneCountInString(v)
			s.words[r] = append(s.words[r], word{text: v, matter: i, weight: w.wordPerRune * n})
			perMatter[i] = append(perMatter[i], grams(v, nil)...)
		}
		perMatter[i] = distinct(perMatter[i])
		for _, g := range perMatter[i] {
			df[g]++
		}
	}
	for i, gs := range perMatter {
		for _, g := range gs {
			if wt := s.gramWeight(g, df[g]); wt > 0 {
				s.grams[g] = append(s.grams[g], posting{matter: i, weight: wt})
			}
		}
	}
	return s
}

// gramWeight is what a gram used by df matters is worth.
func (s *Suggester) gramWeight(g gram, df int) int {
	df = min(df, len(s.w.pair)-1)
	switch {
	case isStopChar(g[0]) || isStopChar(g[1]) || isStopPair(g):
		return 0
	case g[1] != 0:
		return s.w.pair[df]
	default:
		return s.w.single[df]
	}
}

// vocabulary returns a matter's distinct normalised words.
func vocabulary(m models.Matter) []string {
	var out []string
	for _, src := range [][]string{{m.Name}, m.Keywords, m.Synonyms} {
		for _, w := range src {
			out = append(out, strings.Fields(normalize(w))...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Suggest returns the best n matters with a positive score, ties broken by matter code; nil if none.
func (s *Suggester) Suggest(text string, n int) []Suggestion {
	if n <= 0 {
		return nil
	}
	t := s.standard(normalize(text))
	scores := make([]int, len(s.matters))
	s.scoreWords(t, scores)
	for _, g := range distinct(grams(t, make([]gram, 0, 2*len(t)))) {
		for _, p := range s.grams[g] {
			scores[p.matter] += p.weight
		}
	}
	return s.rank(scores, n)
}

// readings indexes colloquial words, normalised, by their first character and longest first.
func readings(colloquial []models.Colloquial) map[rune][]reading {
	out := map[rune][]reading{}
	for _, c := range colloquial {
		say := normalize(c.Say)
		r, _ := utf8.DecodeRuneInString(say)
		if say != "" {
			out[r] = append(out[r], reading{say: say, means: normalize(c.Means)})
		}
	}
	for _, rs := range out {
		slices.SortStableFunc(rs, func(a, b reading) int { return cmp.Compare(len(b.say), len(a.say)) })
	}
	return out
}

// standard rewrites normalised text with the standard wording of each colloquial word, reading
// from the left and taking the longest word that starts at each place.
func (s *Suggester) standard(t string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(t); {
		r, size := utf8.DecodeRuneInString(t[i:])
		rd, ok := s.readingAt(t[i:], r)
		if !ok {
			i += size
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(t) + 16)
		}
		b.WriteString(t[last:i])
		b.WriteString(rd.means)
		i += len(rd.say)
		last = i
	}
	if last == 0 {
		return t
	}
	b.WriteString(t[last:])
	return b.String()
}

// readingAt returns the longest colloquial word that t starts with; r is t's first character.
func (s *Suggester) readingAt(t string, r rune) (reading, bool) {
	for _, rd := range s.colloquial[r] {
		if strings.HasPrefix(t, rd.say) {
			return rd, true
		}
	}
	return reading{}, false
}

// scoreWords adds the weight of every vocabulary word found whole in t, once per word.
func (s *Suggester) scoreWords(t string, scores []int) {
	var found []*word
	for i, r := range t {
		cands := s.words[r]
		for j := range cands {
			if strings.HasPrefix(t[i:], cands[j].text) && !slices.Contains(found, &cands[j]) {
				found = append(found, &cands[j])
				scores[cands[j].matter] += cands[j].weight
			}
		}
	}
}

// rank orders the matters with positive scores, best first and then by code, and keeps n.
func (s *Suggester) rank(scores []int, n int) []Suggestion {
	best := make([]int, 0, len(scores))
	for i, sc := range scores {
		if sc > 0 {
			best = append(best, i)
		}
	}
	if len(best) == 0 {
		return nil
	}
	slices.SortFunc(best, func(a, b int) int { return cmp.Or(cmp.Compare(scores[b], scores[a]), cmp.Compare(a, b)) })
	out := make([]Suggestion, min(n, len(best)))
	for i := range out {
		out[i] = Suggestion{Matter: s.matters[best[i]], Score: scores[best[i]]}
	}
	return out
}

// grams appends the Chinese characters of normalised text and the pairs of neighbouring ones;
// letters and digits count only inside whole words.
func grams(t string, dst []gram) []gram {
	prev := rune(' ')
	for _, r := range t {
		if !unicode.Is(unicode.Han, r) {
			prev = ' '
			continue
		}
		dst = append(dst, gram{r, 0})
		if prev != ' ' {
			dst = append(dst, gram{prev, r})
		}
		prev = r
	}
	return dst
}

// distinct sorts grams and removes repeats.
func distinct(gs []gram) []gram {
	slices.SortFunc(gs, func(a, b gram) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	return slices.Compact(gs)
}

// stopChars are common function characters that mean nothing on their own.
const stopChars = "的了是在我你他她它们这那有不也都就还和与及个一二三上下里中吗呢吧啊呀么什啥怎样会能要说到来去把被给让对从向很太又再已没人家好多大小天"

// stopPairs are words of the catalogue's formal wording that people use about anything
// ("影响休息", "管理一下", "处理一下"), so they say nothing about the matter.
const stopPairs = "处理 管理 影响"

// isStopPair reports whether g is one of the stop pairs.
func isStopPair(g gram) bool { return g[1] != 0 && strings.Contains(stopPairs, string(g[:])) }

// isStopChar reports whether r is a common function character.
func isStopChar(r rune) bool { return strings.ContainsRune(stopChars, r) }

// normalize folds full-width forms to half-width, lowercases, and turns every run of
// punctuation, spaces and symbols into one space.
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	last := ' '
	for _, r := range s {
		r = fold(r)
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			r = ' '
		}
		if r == ' ' && last == ' ' {
			continue
		}
		b.WriteRune(r)
		last = r
	}
	return strings.TrimRight(b.String(), " ")
}

// fold maps a full-width character to its half-width form and lowercases it.
func fold(r rune) rune {
	switch {
	case r == '\u3000':
		return ' '
	case r >= '\uff01' && r <= '\uff5e':
		r -= 0xfee0
	}
	return unicode.ToLower(r)
}
