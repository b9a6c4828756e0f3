package signer

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// KeyStore maps Wechatpay-Serial values to RSA public keys. Platform
// certificate serials (upper-case hex, see [CertificateSerial]) and WeChat Pay
// public-key ids ("PUB_KEY_ID_…") live in one store; the id prefix gets no
// special treatment. Lookups are exact and case-sensitive.
//
// A KeyStore is safe for concurrent use. Reads ([KeyStore.PublicKey],
// [KeyStore.Serials], [KeyStore.Len], [KeyStore.Preferred]) are lock-free:
// they load an immutable snapshot that writers replace atomically
// (copy-on-write; writes are expected to be rare). Adding an entry whose
// serial is already present replaces it. The zero value is an empty store
// ready to use; a KeyStore must not be copied after first use.
type KeyStore struct {
	mu   sync.Mutex // serializes writers
	seq  uint64     // guarded by mu
	snap atomic.Pointer[keySnapshot]
}

type keyEntry struct {
	key      *rsa.PublicKey
	isCert   bool
	notAfter time.Time
	seq      uint64 // insertion order; a replacement counts as a new insertion
}

type keySnapshot struct {
	entries   map[string]keyEntry
	serials   []string // sorted
	preferred string
}

// NewKeyStore returns an empty KeyStore.
func NewKeyStore() *KeyStore { return &KeyStore{} }

// AddCertificate adds a platform certificate under [CertificateSerial](c)
// and returns that serial. The certificate's public key must be RSA with at
// least [MinRSABits] bits; otherwise the error wraps [ErrKey]. Validity
// dates are not enforced here (they only steer [KeyStore.Preferred]).
func (s *KeyStore) AddCertificate(c *x509.Certificate) (serial string, err error) {
	if c == nil {
		return "", keyErrorf("certificate is nil")
	}
	serial = CertificateSerial(c)
	if serial == "" {
		return "", keyErrorf("certificate has no serial number")
	}
	pub, ok := c.PublicKey.(*rsa.PublicKey)
	if !ok || pub == nil || pub.N == nil {
		return "", keyErrorf("certificate %s has a %T public key; only RSA is supported", serial, c.PublicKey)
	}
	if bits := pub.N.BitLen(); bits < MinRSABits {
		return "", keyErrorf("certificate %s has a %d-bit RSA key, need at least %d", serial, bits, MinRSABits)
	}
	s.put(serial, keyEntry{key: pub, isCert: true, notAfter: c.NotAfter})
	return serial, nil
}

// AddPublicKey adds a WeChat Pay public key under its id (the
// "PUB_KEY_ID_…" value WeChat Pay sends in Wechatpay-Serial). id must be
// non-empty printable ASCII without spaces (it is sent in a header); key must
// be RSA with at least [MinRSABits] bits. Errors wrap [ErrKey].
func (s *KeyStore) AddPublicKey(id string, key *rsa.PublicKey) error {
	if id == "" {
		return keyErrorf("public key id is empty")
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f {
			return keyErrorf("public key id %q contains a space or non-printable character", truncate(id))
		}
	}
	if key == nil || key.N == nil {
		return keyErrorf("public key %s is nil", id)
	}
	if bits := key.N.BitLen(); bits < MinRSABits {
		return keyErrorf("public key %s is a %d-bit RSA key, need at least %d", id, bits, MinRSABits)
	}
	s.put(id, keyEntry{key: key})
	return nil
}

// Remove deletes the entry for serial and reports whether it was present.
func (s *KeyStore) Remove(serial string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.snap.Load()
	if old == nil {
		return false
	}
	if _, ok := old.entries[serial]; !ok {
		return false
	}
	m := make(map[string]keyEntry, len(old.entries))
	for k, v := range old.entries {
		if k != serial {
			m[k] = v
		}
	}
	s.snap.Store(newSnapshot(m))
	return true
}

func (s *KeyStore) put(serial string, e keyEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	e.seq = s.seq
	old := s.snap.Load()
	n := 1
	if old != nil {
		n += len(old.entries)
	}
	m := make(map[string]keyEntry, n)
	if old != nil {
		for k, v := range old.entries {
			m[k] = v
		}
	}
	m[serial] = e
	s.snap.Store(newSnapshot(m))
}

func newSnapshot(m map[string]keyEntry) *keySnapshot {
	snap := &keySnapshot{entries: m, serials: make([]string, 0, len(m))}
	var bestKey, bestCert string
	var bestKeyE, bestCertE keyEntry
	for serial, e := range m {
		snap.serials = append(snap.serials, serial)
		if !e.isCert {
			if bestKey == "" || e.seq > bestKeyE.seq {
				bestKey, bestKeyE = serial, e
			}
			continue
		}
		if bestCert == "" || e.notAfter.After(bestCertE.notAfter) ||
			(e.notAfter.Equal(bestCertE.notAfter) && e.seq > bestCertE.seq) {
			bestCert, bestCertE = serial, e
		}
	}
	sort.Strings(snap.serials)
	if bestKey != "" {
		snap.preferred = bestKey
	} else {
		snap.preferred = bestCert
	}
	return snap
}

// PublicKey returns the key stored under serial (exact, case-sensitive).
func (s *KeyStore) PublicKey(serial string) (*rsa.PublicKey, bool) {
	snap := s.snap.Load()
	if snap == nil {
		return nil, false
	}
	e, ok := snap.entries[serial]
	return e.key, ok
}

// Serials returns the stored serials and ids in ascending byte order. The
// slice is a fresh copy.
func (s *KeyStore) Serials() []string {
	snap := s.snap.Load()
	if snap == nil {
		return []string{}
	}
	return append([]string(nil), snap.serials...)
}

// Len returns the number of stored keys.
func (s *KeyStore) Len() int {
	snap := s.snap.Load()
	if snap == nil {
		return 0
	}
	return len(snap.entries)
}

// Preferred returns the serial a client should announce in its
// Wechatpay-Serial request header, so that WeChat Pay signs the answer with a
// key this store holds: the most recently added public-key id if there is
// one; otherwise the certificate with the latest NotAfter (ties go to the
// most recently added); "" when the store is empty. Replacing an entry counts
// as adding it.
func (s *KeyStore) Preferred() string {
	snap := s.snap.Load()
	if snap == nil {
		return ""
	}
	return snap.preferred
}

// String describes the store (serials only) for logs.
func (s *KeyStore) String() string {
	return fmt.Sprintf("KeyStore%q", s.Serials())
}

// CertificateSerial returns c's serial number as upper-case hexadecimal
// (fmt "%X" of the big.Int: no leading zeros, no separators), the form
// WeChat Pay uses in Wechatpay-Serial and serial_no. It returns "" for a nil
// certificate or serial.
func CertificateSerial(c *x509.Certificate) string {
	if c == nil || c.SerialNumber == nil {
		return ""
	}
	return fmt.Sprintf("%X", c.SerialNumber)
}
