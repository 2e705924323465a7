package wechatsim

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// blockPad is the PKCS#7 block size WeChat pads to: 32 bytes, not AES's 16.
const blockPad = 32

// ErrAESKey reports an EncodingAESKey that is not 43 base64 characters encoding 32 bytes.
var ErrAESKey = errors.New("invalid EncodingAESKey")

// ErrCiphertext reports a ciphertext that does not decrypt to random16|len32|msg|appid.
var ErrCiphertext = errors.New("invalid ciphertext")

// Sign returns WeChat's callback signature: the hex sha1 of the sorted concatenation of its arguments.
func Sign(token, timestamp, nonce string, extra ...string) string {
	parts := append([]string{token, timestamp, nonce}, extra...)
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// Encrypt seals plain for appID (the CorpID for WeCom) as WeChat's safe mode does and returns it in base64.
func Encrypt(aesKey, appID string, plain []byte) (string, error) {
	var random [16]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", fmt.Errorf("encrypt: random prefix: %w", err)
	}
	return encryptWith(aesKey, appID, random, plain)
}

// encryptWith is Encrypt with a chosen 16-byte random prefix, for fixed test vectors.
func encryptWith(aesKey, appID string, random [16]byte, plain []byte) (string, error) {
	key, err := decodeAESKey(aesKey)
	if err != nil {
		return "", fmt.Errorf("encrypt: %w", err)
	}
	var buf bytes.Buffer
	buf.Write(random[:])
	buf.Write(binary.BigEndian.AppendUint32(nil, uint32(len(plain))))
	buf.Write(plain)
	buf.WriteString(appID)
	data := pkcs7Pad(buf.Bytes())
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", fmt.Errorf("encrypt: %w", err)
	}
	cipher.NewCBCEncrypter(block, key[:aes.BlockSize]).CryptBlocks(data, data)
	return base64.StdEncoding.EncodeToString(data), nil
}

// Decrypt opens a base64 safe-mode ciphertext and returns the message and the appID (or CorpID) it names.
func Decrypt(aesKey string, b64 string) (plain []byte, appID string, err error) {
	key, err := decodeAESKey(aesKey)
	if err != nil {
		return nil, "", fmt.Errorf("decrypt: %w", err)
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, "", fmt.Errorf("decrypt: base64: %w: %w", ErrCiphertext, err)
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, "", fmt.Errorf("decrypt: length %d: %w", len(data), ErrCiphertext)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, "", fmt.Errorf("decrypt: %w", err)
	}
	cipher.NewCBCDecrypter(block, key[:aes.BlockSize]).CryptBlocks(data, data)
	return splitPayload(data)
}

// splitPayload removes the padding and splits random16|len32|msg|appid.
func splitPayload(data []byte) ([]byte, string, error) {
	data, err := pkcs7Unpad(data)
	if err != nil {
		return nil, "", fmt.Errorf("decrypt: %w", err)
	}
	if len(data) < 20 {
		return nil, "", fmt.Errorf("decrypt: payload of %d bytes: %w", len(data), ErrCiphertext)
	}
	n := binary.BigEndian.Uint32(data[16:20])
	if uint64(n) > uint64(len(data)-20) {
		return nil, "", fmt.Errorf("decrypt: message length %d beyond payload: %w", n, ErrCiphertext)
	}
	msg := data[20 : 20+n]
	return bytes.Clone(msg), string(data[20+n:]), nil
}

// decodeAESKey turns a 43-character EncodingAESKey into the 32-byte AES key.
func decodeAESKey(aesKey string) ([]byte, error) {
	if len(aesKey) != 43 {
		return nil, fmt.Errorf("%d characters: %w", len(aesKey), ErrAESKey)
	}
	key, err := base64.StdEncoding.DecodeString(aesKey + "=")
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("base64: %w", ErrAESKey)
	}
	return key, nil
}

// pkcs7Pad pads data to a multiple of 32 bytes as WeChat does.
func pkcs7Pad(data []byte) []byte {
	n := blockPad - len(data)%blockPad
	return append(data, bytes.Repeat([]byte{byte(n)}, n)...)
}

// pkcs7Unpad strips and checks WeChat's 32-byte PKCS#7 padding.
func pkcs7Unpad(data []byte) ([]byte, error) {
	n := int(data[len(data)-1])
	if n < 1 || n > blockPad || n > len(data) {
		return nil, fmt.Errorf("padding %d: %w", n, ErrCiphertext)
	}
	for _, b := range data[len(data)-n:] {
		if int(b) != n {
			return nil, fmt.Errorf("padding bytes: %w", ErrCiphertext)
		}
	}
	return data[:len(data)-n], nil
}
