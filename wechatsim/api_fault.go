package wechatsim

import (
	"net/http"
	"time"
)

// defaultFaultDelay is how long a FaultTimeout call is held when Fault.Delay is zero.
const defaultFaultDelay = 30 * time.Second

// FaultMode is how the fake servers fail during an outage.
type FaultMode int

const (
	// FaultHTTP500 answers HTTP 500 with a non-JSON body, as a broken gateway does.
	FaultHTTP500 FaultMode = iota + 1
	// FaultSystemBusy answers {"errcode":-1,"errmsg":"system error"}.
	FaultSystemBusy
	// FaultFreqLimit answers {"errcode":45009,...}, the API quota error.
	FaultFreqLimit
	// FaultTimeout holds each call for Fault.Delay or until the client gives up, then serves it normally.
	FaultTimeout
)

// Fault describes an injected outage; it ends at Until (by the API's clock) or after Remaining calls, whichever comes first, or at ClearFault when both are zero.
type Fault struct {
	Mode      FaultMode
	Until     time.Time
	Remaining int
	// Delay is how long FaultTimeout holds a call; zero means 30 s.
	Delay time.Duration
	// SpareTokens keeps the token endpoints working during the outage.
	SpareTokens bool
}

// SetFault starts an outage, replacing any current one.
func (a *API) SetFault(f Fault) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if f.Remaining < 0 {
		f.Remaining = 0
	}
	a.st.fault = &f
}

// ClearFault ends the outage.
func (a *API) ClearFault() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.st.fault = nil
}

// takeFault returns the fault that hits this call, consuming one of its Remaining calls.
func (a *API) takeFault(tokenCall bool) (Fault, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f := a.st.fault
	switch {
	case f == nil || (tokenCall && f.SpareTokens):
		return Fault{}, false
	case !f.Until.IsZero() && !a.now().Before(f.Until):
		a.st.fault = nil
		return Fault{}, false
	}
	hit := *f
	if f.Remaining > 0 {
		f.Remaining--
		if f.Remaining == 0 {
			a.st.fault = nil
		}
	}
	return hit, true
}

// applyFault fails the call if an outage hits it; true means serve the call normally.
func (a *API) applyFault(w http.ResponseWriter, r *http.Request, tokenCall bool) bool {
	f, hit := a.takeFault(tokenCall)
	if !hit {
		return true
	}
	switch f.Mode {
	case FaultHTTP500:
		http.Error(w, "500 Internal Server Error", http.StatusInternalServerError)
	case FaultSystemBusy:
		a.writeErr(w, codeSystemBusy)
	case FaultFreqLimit:
		a.writeErr(w, codeFreqLimit)
	case FaultTimeout:
		return hold(r, f.Delay)
	default:
		return true
	}
	return false
}

// hold waits for delay (30 s if zero) or until the client gives up; true means it waited the whole delay.
func hold(r *http.Request, delay time.Duration) bool {
	if delay <= 0 {
		delay = defaultFaultDelay
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
