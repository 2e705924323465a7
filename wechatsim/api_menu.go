package wechatsim

import (
	"encoding/json"
	"net/http"
)

// menuButton is one button of a custom menu, as far as WeChat validates it.
type menuButton struct {
	Type      string       `json:"type"`
	Name      string       `json:"name"`
	Key       string       `json:"key"`
	URL       string       `json:"url"`
	SubButton []menuButton `json:"sub_button"`
}

// menuRequest is the body of /cgi-bin/menu/create.
type menuRequest struct {
	Button json.RawMessage `json:"button"`
}

// menuCodes are the error codes of one menu level: top-level or sub-menu.
type menuCodes struct {
	count, kind, name, key, url int
	maxName                     int
}

// topLevel is WeChat's codes and name limit (16 bytes) for top-level buttons.
func topLevel() menuCodes {
	return menuCodes{codeButtonCount, codeButtonType, codeButtonName, codeButtonKey, codeButtonURL, 16}
}

// subLevel is WeChat's codes and name limit (60 bytes) for sub-menu buttons.
func subLevel() menuCodes {
	return menuCodes{codeSubButtonCount, codeSubButtonType, codeSubButtonName, codeSubButtonKey, codeSubButtonURL, 60}
}

// buttonTypes maps each known button type to the field it needs: "key", "url" or nothing checked.
func buttonTypes() map[string]string {
	return map[string]string{
		"click": "key", "scancode_push": "key", "scancode_waitmsg": "key", "pic_sysphoto": "key",
		"pic_photo_or_album": "key", "pic_weixin": "key", "location_select": "key",
		"view": "url", "miniprogram": "url",
		"media_id": "", "view_limited": "", "article_id": "", "article_view_limited": "",
	}
}

// serveMenuCreate is POST /cgi-bin/menu/create: at most 3 buttons of at most 5 sub-buttons, with names, keys and urls.
func (a *API) serveMenuCreate(w http.ResponseWriter, r *http.Request, _ App) {
	var req menuRequest
	var buttons []menuButton
	if !a.readJSON(w, r, &req) {
		return
	}
	if json.Unmarshal(req.Button, &buttons) != nil {
		a.writeErr(w, codeDataFormat)
		return
	}
	if code := checkButtons(buttons); code != codeOK {
		a.writeErr(w, code)
		return
	}
	a.mu.Lock()
	a.st.menu = req.Button
	a.mu.Unlock()
	a.writeErr(w, codeOK)
}

// checkButtons validates the top level and each sub-menu.
func checkButtons(buttons []menuButton) int {
	if len(buttons) < 1 || len(buttons) > 3 {
		return codeButtonCount
	}
	for _, b := range buttons {
		if code := checkButton(b, topLevel()); code != codeOK {
			return code
		}
		if len(b.SubButton) > 5 {
			return codeSubButtonCount
		}
		for _, s := range b.SubButton {
			if code := checkButton(s, subLevel()); code != codeOK {
				return code
			}
		}
	}
	return codeOK
}

// checkButton validates one button's name and, for a leaf, its type and its key or url.
func checkButton(b menuButton, c menuCodes) int {
	if b.Name == "" || len(b.Name) > c.maxName {
		return c.name
	}
	if len(b.SubButton) > 0 {
		return codeOK
	}
	need, known := buttonTypes()[b.Type]
	switch {
	case !known:
		return c.kind
	case need == "key" && (b.Key == "" || len(b.Key) > 128):
		return c.key
	case need == "url" && (b.URL == "" || len(b.URL) > 1024):
		return c.url
	}
	return codeOK
}

// serveMenuGet is GET /cgi-bin/menu/get: the stored buttons, or 46003.
func (a *API) serveMenuGet(w http.ResponseWriter, _ *http.Request, _ App) {
	menu, ok := a.Menu()
	if !ok {
		a.writeErr(w, codeMenuNotExist)
		return
	}
	a.writeJSON(w, map[string]any{"menu": map[string]json.RawMessage{"button": menu}})
}

// serveMenuDelete is GET /cgi-bin/menu/delete.
func (a *API) serveMenuDelete(w http.ResponseWriter, _ *http.Request, _ App) {
	a.mu.Lock()
	a.st.menu = nil
	a.mu.Unlock()
	a.writeErr(w, codeOK)
}

// Menu returns the "button" array of the current menu as received, and whether one exists.
func (a *API) Menu() (json.RawMessage, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.st.menu, a.st.menu != nil
}
