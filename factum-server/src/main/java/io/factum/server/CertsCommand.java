package io.factum.server;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code factum certs}: a development certificate authority and a node certificate, as PEM files,
 * for running the server with TLS on a laptop or in a test cluster. Not a production PKI: the CA key
 * lies next to the certificates, unencrypted (mode 600).
 *
 * <p>Files in the output directory: {@code ca.crt}, {@code ca.key} (reused when present, so that
 * clients that already trust the CA keep trusting new node certificates), {@code node.crt}, {@code
 * node.key}. RSA 2048 keys in PKCS#8, SHA-256 signatures. The node certificate names {@code
 * localhost}, {@code 127.0.0.1}, {@code ::1} and every {@code --name} (a DNS name or an IP address),
 * for both server and client authentication.
 */
@Command(
        name = "certs",
        mixinStandardHelpOptions = true,
        description = "Create a development CA and a node certificate (PEM) for running the server with TLS.")
public final class CertsCommand implements Callable<Integer> {

    static final String CA_CERT = "ca.crt";
    static final String CA_KEY = "ca.key";
    static final String NODE_CERT = "node.crt";
    static final String NODE_KEY = "node.key";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    @Option(
            names = {"-o", "--out"},
            defaultValue = "factum-certs",
            description = "Directory for the PEM files, created when missing (default: ${DEFAULT-VALUE}).")
    Path dir = Path.of("factum-certs");

    @Option(
            names = {"-n", "--name"},
            paramLabel = "NAME",
            description = "Extra host name or IP address for the node certificate (repeatable).")
    List<String> names = new ArrayList<>();

    @Option(
            names = "--days",
            defaultValue = "365",
            description = "Validity of the node certificate in days (default: ${DEFAULT-VALUE}; the CA: 5 years).")
    int days = 365;

    @Option(
            names = "--debug",
            description = "On a failure, print its stack trace after the one-line message (a bug always prints it).")
    boolean debug;

    @Option(names = "--force", description = "Overwrite an existing node certificate and key.")
    boolean force;

    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    public CertsCommand() {
        this(System.out, System.err, Clock.systemUTC());
    }

    CertsCommand(PrintStream out, PrintStream err, Clock clock) {
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    @Override
    public Integer call() throws Exception {
        if (days < 1) {
            err.println("factum certs: --days must be at least 1, was " + days);
            return 2;
        }
        Path nodeCert = dir.resolve(NODE_CERT);
        Path nodeKey = dir.resolve(NODE_KEY);
        if (!force && (Files.exists(nodeCert) || Files.exists(nodeKey))) {
            err.println("factum certs: " + nodeCert + " or " + nodeKey + " exists; pass --force to replace them");
            return 2;
        }
        for (String name : names) {
            try {
                generalName(name);
            } catch (IllegalArgumentException e) {
                err.println("factum certs: " + e.getMessage());
                return 2;
            }
        }
        Files.createDirectories(dir);
        Authority ca = loadOrCreateAuthority();
        Set<String> sans = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        sans.addAll(names);
        KeyPair node = rsa();
        X509Certificate cert = nodeCertificate(ca, node.getPublic(), sans);
        write(nodeCert, pem("CERTIFICATE", cert.getEncoded()), false);
        write(nodeKey, pem("PRIVATE KEY", node.getPrivate().getEncoded()), true);
        explain(ca.created(), sans);
        return 0;
    }

    private record Authority(X509Certificate certificate, PrivateKey key, boolean created) {}

    private Authority loadOrCreateAuthority() throws IOException, GeneralSecurityException, OperatorCreationException {
        Path certFile = dir.resolve(CA_CERT);
        Path keyFile = dir.resolve(CA_KEY);
        if (Files.exists(certFile) && Files.exists(keyFile)) {
            var certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(Files.readAllBytes(certFile)));
            PrivateKey key = KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(readPem(keyFile, "PRIVATE KEY")));
            return new Authority(certificate, key, false);
        }
        KeyPair pair = rsa();
        Instant now = clock.instant();
        X500Name subject = new X500Name("CN=Factum Development CA");
        var builder = new JcaX509v3CertificateBuilder(
                subject,
                serial(),
                Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(5 * 365))),
                subject,
                pair.getPublic());
        var ext = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
        X509Certificate certificate = sign(builder, pair.getPrivate());
        write(certFile, pem("CERTIFICATE", certificate.getEncoded()), false);
        write(keyFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), true);
        return new Authority(certificate, pair.getPrivate(), true);
    }

    private X509Certificate nodeCertificate(Authority ca, PublicKey key, Set<String> sans)
            throws GeneralSecurityException, IOException, OperatorCreationException {
        Instant now = clock.instant();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                ca.certificate(),
                serial(),
                Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(days))),
                new X500Name("CN=factum-node"),
                key);
        var ext = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(
                Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
            KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
        }));
        builder.addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(sans.stream().map(CertsCommand::generalName).toArray(GeneralName[]::new)));
        builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
        builder.addExtension(
                Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()));
        return sign(builder, ca.key());
    }

    static GeneralName generalName(String name) {
        boolean ip = IPV4.matcher(name).matches() || name.contains(":");
        if (ip) {
            try {
                // A literal address: no lookup happens for these forms.
                return new GeneralName(
                        GeneralName.iPAddress, InetAddress.getByName(name).getHostAddress());
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("--name " + name + " is not a valid IP address", e);
            }
        }
        return new GeneralName(GeneralName.dNSName, name);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        var signer = new JcaContentSignerBuilder("SHA256withRSA").build(key);
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(128, new SecureRandom());
    }

    static String pem(String type, byte[] der) throws IOException {
        var text = new StringWriter();
        try (var writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(type, der));
        }
        return text.toString();
    }

    private static byte[] readPem(Path file, String type) throws IOException {
        try (var reader = new PemReader(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
            PemObject object = reader.readPemObject();
            if (object == null || !object.getType().equals(type)) {
                throw new IOException(file + ": expected a PEM block of type " + type);
            }
            return object.getContent();
        }
    }

    private static void write(Path file, String content, boolean secret) throws IOException {
        Files.deleteIfExists(file);
        if (secret) {
            try {
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file); // not a POSIX file system
            }
        }
        Files.writeString(
                file,
                content,
                StandardCharsets.US_ASCII,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    private void explain(boolean caCreated, Set<String> sans) {
        Path abs = dir.toAbsolutePath().normalize();
        out.println("factum certs: wrote development certificates to " + abs);
        out.println("  CA:       " + abs.resolve(CA_CERT) + (caCreated ? " (new)" : " (existing, reused)")
                + "; its key " + CA_KEY + " stays private");
        out.println("  node:     " + abs.resolve(NODE_CERT) + ", " + NODE_KEY + " for " + String.join(", ", sans));
        out.println("  server:   factum server --tls-cert " + abs.resolve(NODE_CERT) + " --tls-key "
                + abs.resolve(NODE_KEY) + " --auth");
        out.println("  clients:  esdb://admin:PASSWORD@localhost:2113?tls=true&tlsCaFile=" + abs.resolve(CA_CERT));
        out.println("            kurrentdb://admin:PASSWORD@localhost:2113?tls=true&tlsCaFile=" + abs.resolve(CA_CERT));
        out.println("  For development only: anyone holding " + CA_KEY + " can issue certificates your clients trust.");
        out.flush();
    }

    /** Entry point ({@code factum certs}). */
    public static void main(String[] args) {
        CertsCommand command = new CertsCommand();
        var commandLine = new picocli.CommandLine(command);
        // An unreadable CA key, a directory that cannot be written: one line (see FailureReport).
        commandLine.setExecutionExceptionHandler((failure, ignored, parseResult) -> {
            var err = new java.io.PrintWriter(command.err, true, java.nio.charset.StandardCharsets.UTF_8);
            io.factum.engine.FailureReport.print(
                    failure, io.factum.engine.FailureReport.expectedMessage(failure), command.debug, err);
            return 1;
        });
        System.exit(commandLine.execute(args));
    }
}
