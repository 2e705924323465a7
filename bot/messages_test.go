package bot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// asciiWordRe finds runs of two or more ASCII letters: English words a person would read.
var asciiWordRe = regexp.MustCompile(`[A-Za-z]{2,}`)

// allowedASCII are the ASCII words a text may show: none of ours today.
var allowedASCII = map[string]bool{}

// TestMessagesAreChinese reads every string literal of the messages file and fails on any ASCII
// word in it: every text a person reads in the chat is Chinese.
func TestMessagesAreChinese(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "messages.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		lit, ok := node.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil || !containsHan(s) {
			return true // keys, format verbs and separators
		}
		n++
		for _, w := range asciiWordRe.FindAllString(s, -1) {
			if !allowedASCII[w] {
				t.Errorf("%s: the text %q shows the ASCII word %q", fset.Position(lit.Pos()), s, w)
			}
		}
		return true
	})
	if n < 50 {
		t.Fatalf("only %d Chinese texts found in messages.go", n)
	}
}

// containsHan reports whether s has a Chinese character.
func containsHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) >= 0
}
