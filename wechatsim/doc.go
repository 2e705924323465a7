// Package wechatsim simulates WeChat's servers and users so gridbot can be tested offline against an independent implementation of the protocol.
//
// API is a fake of api.weixin.qq.com (Official Account) and qyapi.weixin.qq.com (WeCom): serve it with
// httptest and point the service's HTTP client at it (rewrite scheme and host in a RoundTripper). It
// behaves as WeChat does where that shapes the service's design:
//
//   - /cgi-bin/token issues a new token on every call and the previous one stops working 5 minutes
//     later (40001), so instances that do not share their token break each other; /cgi-bin/stable_token
//     and WeCom's /cgi-bin/gettoken return the current token until it is about to expire.
//   - Tokens expire after 7200 s of the injected clock (42001); InvalidateTokens revokes them (40001 on
//     the Official Account, 40014 on WeCom, as each answers).
//   - Media expire after 3 days (40007); media/get of a video answers {"video_url": ...} as WeChat does.
//   - Customer-service messages need a user action within 48 h (45015); template sends are idempotent
//     per touser and client_msg_id for 10 minutes, as WeChat promises.
//   - The window is counted, as since June 2023: a user's message allows 5 customer-service messages
//     within 48 h, a menu click, follow or scan 3 within 1 minute; beyond them 45047.
//   - Daily quotas per API (Quotas: customer-service 500,000, template 100,000, token fetches 2,000,
//     days in China Standard Time) answer 45009 "reach max api daily quota limit" beyond them.
//   - Category templates (AddCategoryTemplate) check each value against its field's type (thing up to
//     20 characters, phrase up to 5 Chinese characters, time in a date/time form, ...) and answer 47003
//     "argument invalid! data.<field>.value invalid" otherwise.
//   - Every errmsg ends with a " rid: ..." request id, as WeChat's do: match on errcode, never errmsg.
//
// Phone plays a person whose WeChat client calls the service's callback URL, in plaintext or safe (AES)
// mode, or as a WeCom user; it waits 5 s per try and makes 3 identical tries, as WeChat does. A phone
// without an API registers the media it sends through its UploadMedia hook, such as a remote sandbox's. Sign,
// Encrypt and Decrypt implement the callback cryptography from the published specification with the
// standard library only.
package wechatsim
