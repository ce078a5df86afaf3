package dev.binlogsync.elasticsearch.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds the {@link SSLContext} for {@code https} hosts. Stateless. */
public final class TlsSupport {

    private TlsSupport() {
    }

    /**
     * Trusts exactly the certificates in a PEM (or DER) file, typically the cluster's
     * {@code http_ca.crt}. Host names are still verified.
     *
     * @throws IllegalArgumentException if the file cannot be read or holds no certificate
     */
    public static SSLContext fromCaCertificate(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + pem);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate cert : certs) {
                store.setCertificateEntry("ca-" + i++, cert);
            }
            return fromKeyStore(store);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read CA certificate " + pem + ": " + e.getMessage(), e);
        }
    }

    /**
     * Trusts the certificates of a trust store (PKCS12 or JKS, detected from the file).
     *
     * @throws IllegalArgumentException if the store cannot be opened (the password is not printed)
     */
    public static SSLContext fromTrustStore(Path file, char[] password) {
        try {
            return fromKeyStore(KeyStore.getInstance(file.toFile(), password));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot open trust store " + file + ": " + e.getMessage(), e);
        }
    }

    private static SSLContext fromKeyStore(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
