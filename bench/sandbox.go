package bench

import (
	"encoding/base64"
	"strings"
)

// The credentials of gridbot's sandbox mode (cmd/gridbot/gateway.go), which a gridbot without
// WeChat credentials uses; a main package cannot be imported, so they are repeated here.
const (
	SandboxAppID = "wxsandbox00000001"
	SandboxToken = "gridbot-sandbox-token"
)

// SandboxAESKey is the sandbox's EncodingAESKey (43 characters).
func SandboxAESKey() string {
	return strings.TrimRight(base64.StdEncoding.EncodeToString([]byte("gridbot-sandbox-aes-key-32bytes!")), "=")
}
