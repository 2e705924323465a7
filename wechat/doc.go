// Package wechat adapts github.com/silenceper/wechat/v2 to gridbot: the Official Account client
// built once at start-up with its token cache in Redis, outbound calls with contexts and typed
// errors, and the callback parsing glue.
//
// The library keeps process-wide state that this package has to touch, each in one documented
// place called once from cmd: its HTTP client (InstallHTTPClient) and its logrus logger
// (QuietLibraryLog). Never import the root package github.com/silenceper/wechat/v2: its init
// turns logrus to Debug on stdout, which then logs decrypted callbacks, i.e. citizens' data.
package wechat
