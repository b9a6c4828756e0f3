package signer_test

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wxpay-go/wxpay/signer"
)

// makeCert returns a self-signed certificate for key with the given serial
// (hex) and NotAfter.
func makeCert(t testing.TB, key *rsa.PrivateKey, serialHex string, notAfter time.Time) *x509.Certificate {
	t.Helper()
	sn, ok := new(big.Int).SetString(serialHex, 16)
	require.True(t, ok)
	tmpl := &x509.Certificate{
		SerialNumber: sn,
		Subject:      pkix.Name{CommonName: "test platform " + serialHex},
		NotBefore:    notAfter.Add(-365 * 24 * time.Hour),
		NotAfter:     notAfter,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c
}

func TestKeyStoreBasics(t *testing.T) {
	ks := signer.NewKeyStore()
	require.Equal(t, 0, ks.Len())
	require.Equal(t, "", ks.Preferred())
	require.Empty(t, ks.Serials())
	_, ok := ks.PublicKey(platformSerial)
	require.False(t, ok)

	platformPub := loadPub(t, "pubkey.pem")
	serial, err := ks.AddCertificate(loadCert(t, "platform_cert.pem"))
	require.NoError(t, err)
	require.Equal(t, platformSerial, serial)
	got, ok := ks.PublicKey(platformSerial)
	require.True(t, ok)
	require.True(t, platformPub.Equal(got))

	// case-sensitive, exact
	_, ok = ks.PublicKey("5157f09efdc096de15ebe81a47057a7232f5b8e1")
	require.False(t, ok)
	_, ok = ks.PublicKey(platformSerial + " ")
	require.False(t, ok)

	idPub := loadPub(t, "pubkeyid_pub.pem")
	require.NoError(t, ks.AddPublicKey(testPubKeyID, idPub))
	got, ok = ks.PublicKey(testPubKeyID)
	require.True(t, ok)
	require.True(t, idPub.Equal(got))
	require.Equal(t, 2, ks.Len())
	require.Equal(t, []string{platformSerial, testPubKeyID}, ks.Serials())

	// Serials returns a copy.
	s := ks.Serials()
	s[0] = "mutated"
	require.Equal(t, platformSerial, ks.Serials()[0])

	// Replacing an entry keeps Len and swaps the key.
	require.NoError(t, ks.AddPublicKey(testPubKeyID, platformPub))
	require.Equal(t, 2, ks.Len())
	got, _ = ks.PublicKey(testPubKeyID)
	require.True(t, platformPub.Equal(got))

	require.True(t, ks.Remove(testPubKeyID))
	require.False(t, ks.Remove(testPubKeyID))
	require.Equal(t, []string{platformSerial}, ks.Serials())

	// The zero value works too.
	var zero signer.KeyStore
	require.Equal(t, 0, zero.Len())
	require.NoError(t, zero.AddPublicKey("PUB_KEY_ID_1", idPub))
	require.Equal(t, "PUB_KEY_ID_1", zero.Preferred())
}

func TestKeyStoreRejects(t *testing.T) {
	ks := signer.NewKeyStore()
	_, err := ks.AddCertificate(nil)
	require.ErrorIs(t, err, signer.ErrKey)

	rsa1024 := parsePKCS8(t, "rsa1024_key.pem").(*rsa.PrivateKey)
	require.ErrorIs(t, ks.AddPublicKey("PUB_KEY_ID_X", &rsa1024.PublicKey), signer.ErrKey)
	require.ErrorIs(t, ks.AddPublicKey("", loadPub(t, "pubkey.pem")), signer.ErrKey)
	require.ErrorIs(t, ks.AddPublicKey("PUB KEY", loadPub(t, "pubkey.pem")), signer.ErrKey)
	require.ErrorIs(t, ks.AddPublicKey("PUB_KEY_ID_X", nil), signer.ErrKey)
	require.ErrorIs(t, ks.AddPublicKey("PUB_KEY_ID_X", &rsa.PublicKey{}), signer.ErrKey)

	_, err = ks.AddCertificate(makeCert(t, rsa1024, "0A", time.Now().Add(time.Hour)))
	require.ErrorIs(t, err, signer.ErrKey)

	// ECDSA certificate
	ecKey := parsePKCS8(t, "ec_key.pem").(*ecdsa.PrivateKey)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(77), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ecKey.PublicKey, ecKey)
	require.NoError(t, err)
	ecCert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	_, err = ks.AddCertificate(ecCert)
	require.ErrorIs(t, err, signer.ErrKey)
	require.Contains(t, err.Error(), "4D") // names the serial

	require.Equal(t, 0, ks.Len())
}

func TestKeyStorePreferred(t *testing.T) {
	key := loadPriv(t, "platform_key.pem")
	base := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	older := makeCert(t, key, "1111111111111111", base)
	newer := makeCert(t, key, "2222222222222222", base.Add(24*time.Hour))
	tieA := makeCert(t, key, "3333333333333333", base.Add(48*time.Hour))
	tieB := makeCert(t, key, "4444444444444444", base.Add(48*time.Hour))

	ks := signer.NewKeyStore()
	require.Equal(t, "", ks.Preferred())

	// Latest NotAfter wins regardless of insertion order.
	_, err := ks.AddCertificate(newer)
	require.NoError(t, err)
	require.Equal(t, "2222222222222222", ks.Preferred())
	_, err = ks.AddCertificate(older)
	require.NoError(t, err)
	require.Equal(t, "2222222222222222", ks.Preferred())

	// Ties go to the most recently added.
	_, err = ks.AddCertificate(tieB)
	require.NoError(t, err)
	_, err = ks.AddCertificate(tieA)
	require.NoError(t, err)
	require.Equal(t, "3333333333333333", ks.Preferred())
	_, err = ks.AddCertificate(tieB) // re-adding counts as adding
	require.NoError(t, err)
	require.Equal(t, "4444444444444444", ks.Preferred())

	// Any public-key id beats every certificate; the latest added id wins.
	pub := loadPub(t, "pubkeyid_pub.pem")
	require.NoError(t, ks.AddPublicKey("PUB_KEY_ID_A", pub))
	require.Equal(t, "PUB_KEY_ID_A", ks.Preferred())
	require.NoError(t, ks.AddPublicKey("PUB_KEY_ID_B", pub))
	require.Equal(t, "PUB_KEY_ID_B", ks.Preferred())
	_, err = ks.AddCertificate(makeCert(t, key, "5555555555555555", base.Add(1000*time.Hour)))
	require.NoError(t, err)
	require.Equal(t, "PUB_KEY_ID_B", ks.Preferred())
	require.NoError(t, ks.AddPublicKey("PUB_KEY_ID_A", pub))
	require.Equal(t, "PUB_KEY_ID_A", ks.Preferred())

	// Removing ids falls back to the certificates.
	require.True(t, ks.Remove("PUB_KEY_ID_A"))
	require.Equal(t, "PUB_KEY_ID_B", ks.Preferred())
	require.True(t, ks.Remove("PUB_KEY_ID_B"))
	require.Equal(t, "5555555555555555", ks.Preferred())
	require.True(t, ks.Remove("5555555555555555"))
	require.Equal(t, "4444444444444444", ks.Preferred())
}

func TestKeyStoreConcurrent(t *testing.T) {
	ks := platformStore(t)
	pub := loadPub(t, "pubkeyid_pub.pem")
	v := &signer.Verifier{Keys: ks, Now: func() time.Time { return time.Unix(vectorRespTSInt, 0) }}

	const writers, readers, rounds = 4, 8, 200
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds+readers*rounds)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				id := fmt.Sprintf("PUB_KEY_ID_%d_%d", w, i%10)
				if err := ks.AddPublicKey(id, pub); err != nil {
					errs <- err
				}
				if i%7 == 0 {
					ks.Remove(id)
				}
			}
		}(w)
	}
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				if _, ok := ks.PublicKey(platformSerial); !ok {
					errs <- fmt.Errorf("platform key vanished")
				}
				if err := v.VerifyValues(vectorRespTS, vectorRespNonce, platformSerial, sigRespData, vectorBody); err != nil {
					errs <- err
				}
				if ks.Preferred() == "" || ks.Len() < 2 || len(ks.Serials()) < 2 {
					errs <- fmt.Errorf("inconsistent snapshot")
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// Every writer's last ids (i%10 for i in the final 10 rounds, minus removed ones) are present.
	for w := 0; w < writers; w++ {
		for i := rounds - 10; i < rounds; i++ {
			id := fmt.Sprintf("PUB_KEY_ID_%d_%d", w, i%10)
			_, ok := ks.PublicKey(id)
			require.Equal(t, i%7 != 0, ok, id)
		}
	}
}

var testNotAfter = time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)

func TestCertificateSerialFormat(t *testing.T) {
	key := loadPriv(t, "platform_key.pem")
	// Leading zero nibble is dropped exactly as big.Int %X does; lower-case hex in becomes upper-case out.
	require.Equal(t, "ABCDEF0123", signer.CertificateSerial(makeCert(t, key, "00abcdef0123", testNotAfter)))
	require.Equal(t, "1", signer.CertificateSerial(makeCert(t, key, "01", testNotAfter)))
}

func TestCertificateSerialNil(t *testing.T) {
	require.Equal(t, "", signer.CertificateSerial(nil))
	require.Equal(t, "", signer.CertificateSerial(&x509.Certificate{}))
}
