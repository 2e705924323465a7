package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/silenceper/wechat/v2/officialaccount/menu"
)

// The keys of gridbot's click buttons, which come back as the EventKey of CLICK events.
const (
	MenuKeyComplaint = "COMPLAINT"
	MenuKeyTip       = "TIP"
	MenuKeyReport    = "REPORT"
	MenuKeyQuery     = "QUERY"
	MenuKeyRate      = "RATE"
	MenuKeyBind      = "BIND"
	MenuKeyHelp      = "HELP"
)

// The button types gridbot uses.
const (
	ButtonClick = "click"
	ButtonView  = "view"
)

// WeChat's limits on a custom menu.
const (
	maxTopButtons   = 3
	maxSubButtons   = 5
	maxTopNameBytes = 16
	maxSubNameBytes = 60
	maxKeyBytes     = 128
	maxURLBytes     = 1024
)

// ErrMenu reports a menu that WeChat would reject.
var ErrMenu = errors.New("invalid menu")

// MenuButton is one button of the Official Account's menu: a click button with a Key, a view
// button with a URL, or (with Sub) a sub-menu whose Type, Key and URL are ignored.
type MenuButton struct {
	Name string
	Type string // ButtonClick or ButtonView
	Key  string
	URL  string
	Sub  []MenuButton
}

// DefaultMenu returns gridbot's Official Account menu.
func DefaultMenu() []MenuButton {
	return []MenuButton{
		{Name: msgMenuReflect, Sub: []MenuButton{
			clickButton(msgMenuComplaint, MenuKeyComplaint),
			clickButton(msgMenuTip, MenuKeyTip),
			clickButton(msgMenuReport, MenuKeyReport),
		}},
		clickButton(msgMenuQuery, MenuKeyQuery),
		{Name: msgMenuMore, Sub: []MenuButton{
			clickButton(msgMenuRate, MenuKeyRate),
			clickButton(msgMenuBind, MenuKeyBind),
			clickButton(msgMenuHelp, MenuKeyHelp),
		}},
	}
}

// clickButton is a click button.
func clickButton(name, key string) MenuButton {
	return MenuButton{Name: name, Type: ButtonClick, Key: key}
}

// SetMenu replaces the Official Account's menu with buttons.
func (a *Account) SetMenu(ctx context.Context, buttons []MenuButton) error {
	lib, err := libraryMenu(buttons)
	if err != nil {
		return fmt.Errorf("set menu: %w", err)
	}
	return a.call(ctx, "set menu", func() error { return a.menu.SetMenu(lib) })
}

// menuRequest is the body of menu/create.
type menuRequest struct {
	Button []*menu.Button `json:"button"`
}

// MenuJSON returns the body that WeChat's menu/create expects for buttons, indented for people.
func MenuJSON(buttons []MenuButton) ([]byte, error) {
	lib, err := libraryMenu(buttons)
	if err != nil {
		return nil, fmt.Errorf("menu json: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as the library posts it: & in URLs stays &
	enc.SetIndent("", "  ")
	if err := enc.Encode(menuRequest{Button: lib}); err != nil {
		return nil, fmt.Errorf("menu json: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// libraryMenu checks buttons against WeChat's rules and converts them to the library's type.
func libraryMenu(buttons []MenuButton) ([]*menu.Button, error) {
	if len(buttons) == 0 || len(buttons) > maxTopButtons {
		return nil, fmt.Errorf("%w: %d top-level buttons, want 1 to %d", ErrMenu, len(buttons), maxTopButtons)
	}
	out := make([]*menu.Button, 0, len(buttons))
	for _, b := range buttons {
		lb, err := libraryButton(b)
		if err != nil {
			return nil, err
		}
		out = append(out, lb)
	}
	return out, nil
}

// libraryButton converts a top-level button and its sub-menu.
func libraryButton(b MenuButton) (*menu.Button, error) {
	if err := checkName(b.Name, maxTopNameBytes); err != nil {
		return nil, err
	}
	if len(b.Sub) == 0 {
		return leafButton(b)
	}
	if len(b.Sub) > maxSubButtons {
		return nil, fmt.Errorf("%w: %q has %d sub-buttons, at most %d", ErrMenu, b.Name, len(b.Sub), maxSubButtons)
	}
	subs := make([]*menu.Button, 0, len(b.Sub))
	for _, s := range b.Sub {
		if err := checkName(s.Name, maxSubNameBytes); err != nil {
			return nil, err
		}
		if len(s.Sub) > 0 {
			return nil, fmt.Errorf("%w: %q: menus have two levels only", ErrMenu, s.Name)
		}
		ls, err := leafButton(s)
		if err != nil {
			return nil, err
		}
		subs = append(subs, ls)
	}
	return new(menu.Button).SetSubButton(b.Name, subs), nil
}

// leafButton converts a click or view button.
func leafButton(b MenuButton) (*menu.Button, error) {
	switch {
	case b.Type == ButtonClick && b.Key != "" && len(b.Key) <= maxKeyBytes:
		return new(menu.Button).SetClickButton(b.Name, b.Key), nil
	case b.Type == ButtonView && b.URL != "" && len(b.URL) <= maxURLBytes:
		return new(menu.Button).SetViewButton(b.Name, b.URL), nil
	}
	return nil, fmt.Errorf("%w: %q: want a click button with a key or a view button with a url", ErrMenu, b.Name)
}

// checkName checks a button name against WeChat's byte limit for its level.
func checkName(name string, limit int) error {
	if name == "" || len(name) > limit {
		return fmt.Errorf("%w: button name %q must be 1 to %d bytes", ErrMenu, name, limit)
	}
	return nil
}
