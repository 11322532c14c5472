// kube-apiserver with its storage in the same process: an embedded etcd on loopback, started
// before the API server and stopped with it. Also makes the cluster's certificates.
//
//	apiserver certs DIR
//	  writes the ca and apiserver (serving) certificates and keys, and the service-account signing
//	  key pair, into DIR (EC P-256, valid for 7 days).
//	apiserver --etcd-dir=DIR --etcd-client-port=N --etcd-peer-port=M [kube-apiserver flags...]
//	  starts etcd with its data in DIR on 127.0.0.1:N (peer M), then kube-apiserver with the
//	  remaining flags and --etcd-servers pointing at it.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // for timeZone support in CronJob

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "certs" {
		if err := writeCerts(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, "certs:", err)
			os.Exit(1)
		}
		return
	}
	var etcdDir, clientPort, peerPort string
	var rest []string
	for _, a := range os.Args[1:] {
		switch {
		case strings.HasPrefix(a, "--etcd-dir="):
			etcdDir = strings.TrimPrefix(a, "--etcd-dir=")
		case strings.HasPrefix(a, "--etcd-client-port="):
			clientPort = strings.TrimPrefix(a, "--etcd-client-port=")
		case strings.HasPrefix(a, "--etcd-peer-port="):
			peerPort = strings.TrimPrefix(a, "--etcd-peer-port=")
		default:
			rest = append(rest, a)
		}
	}
	if etcdDir == "" || clientPort == "" || peerPort == "" {
		fmt.Fprintln(os.Stderr, "usage: apiserver certs DIR | apiserver --etcd-dir=DIR --etcd-client-port=N --etcd-peer-port=M [kube-apiserver flags]")
		os.Exit(2)
	}
	etcd, err := startEtcd(etcdDir, clientPort, peerPort)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcd:", err)
		os.Exit(1)
	}
	go func() {
		// etcd failing after start leaves the API server without storage: stop the process.
		if err := <-etcd.Err(); err != nil {
			fmt.Fprintln(os.Stderr, "etcd stopped:", err)
			os.Exit(1)
		}
	}()
	command := app.NewAPIServerCommand()
	command.SetArgs(append(rest, "--etcd-servers=http://127.0.0.1:"+clientPort))
	code := cli.Run(command)
	etcd.Close()
	os.Exit(code)
}

func startEtcd(dir, clientPort, peerPort string) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Name = "cluster"
	cfg.Dir = dir
	client, _ := url.Parse("http://127.0.0.1:" + clientPort)
	peer, _ := url.Parse("http://127.0.0.1:" + peerPort)
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*client}, []url.URL{*client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*peer}, []url.URL{*peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = "error"
	// A throwaway test store: no fsync per write (much faster on a shared disk).
	cfg.UnsafeNoFsync = true
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case err := <-e.Err():
		return nil, err
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, fmt.Errorf("not ready after 60 s")
	}
}

type keyPair struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func writeCerts(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	now := time.Now().Add(-time.Hour)
	serial := int64(1)
	issue := func(name string, tmpl *x509.Certificate, parent *keyPair) (*keyPair, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		serial++
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.NotBefore, tmpl.NotAfter = now, now.Add(7*24*time.Hour)
		signer, signerCert := key, tmpl
		if parent != nil {
			signer, signerCert = parent.key, parent.cert
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, &key.PublicKey, signer)
		if err != nil {
			return nil, err
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		if err := writePEM(filepath.Join(dir, name+".crt"), "CERTIFICATE", der); err != nil {
			return nil, err
		}
		keyDER, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return nil, err
		}
		return &keyPair{cert, key}, writePEM(filepath.Join(dir, name+".key"), "EC PRIVATE KEY", keyDER)
	}
	ca, err := issue("ca", &x509.Certificate{
		Subject:               pkix.Name{CommonName: "cluster-ca"},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}, nil)
	if err != nil {
		return err
	}
	if _, err := issue("apiserver", &x509.Certificate{
		Subject:     pkix.Name{CommonName: "kube-apiserver"},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.96.0.1")},
	}, ca); err != nil {
		return err
	}
	sa, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	saDER, err := x509.MarshalECPrivateKey(sa)
	if err != nil {
		return err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&sa.PublicKey)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, "sa.key"), "EC PRIVATE KEY", saDER); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, "sa.pub"), "PUBLIC KEY", pubDER)
}

func writePEM(file, kind string, der []byte) error {
	return os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600)
}
