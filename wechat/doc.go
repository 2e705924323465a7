// Package wechat holds gridbot's WeChat and WeCom protocol code over github.com/silenceper/wechat/v2:
// the Official Account client built once at start-up with its token cache in Redis, outbound calls
// with contexts and typed errors, the callbacks' signature, freshness and envelope checks, their
// decryption, and the passive replies (the Official Account's rendered by hand for speed).
//
// The library keeps process-wide state that this package has to touch, each in one documented
// place called once from cmd: its HTTP client (InstallHTTPClient) and its logrus logger
// (QuietLibraryLog). Never import the root package github.com/silenceper/wechat/v2: its init
// turns logrus to Debug on stdout, which then logs decrypted callbacks, i.e. citizens' data.
package wechat
