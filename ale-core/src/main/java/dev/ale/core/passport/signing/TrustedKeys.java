package dev.ale.core.passport.signing;

import dev.ale.core.passport.PassportException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The public keys a server or run accepts passport signatures from: every {@code *.pub} file of one directory. */
public final class TrustedKeys {

    private final Path directory;
    private final Map<String, PublicKey> byId;

    private TrustedKeys(Path directory, Map<String, PublicKey> byId) {
        this.directory = directory;
        this.byId = Map.copyOf(byId);
    }

    /** Reads every {@code *.pub} in {@code directory}; a missing directory, one with no key, or a malformed key is refused. */
    public static TrustedKeys load(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new PassportException("--trusted-keys " + directory + " is not a directory; give the directory that holds the"
                    + " operators' public keys (NAME.pub, from `ale passport keygen`)");
        }
        Map<String, PublicKey> keys = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(directory)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".pub")).sorted().toList();
        } catch (IOException e) {
            throw new PassportException("cannot list trusted keys in " + directory + ": " + e.getMessage(), e);
        }
        for (Path f : files) {
            PublicKey key = Pem.publicKey(f, Pem.block(f, Pem.readText(f, "public key"), "PUBLIC KEY", "public key"));
            keys.put(Pem.keyId(key), key);
        }
        if (keys.isEmpty()) {
            throw new PassportException("--trusted-keys " + directory + " holds no public key (*.pub); copy an operator's NAME.pub there");
        }
        return new TrustedKeys(directory, keys);
    }

    Optional<PublicKey> find(String keyId) {
        return Optional.ofNullable(byId.get(keyId));
    }

    public Path directory() {
        return directory;
    }
}
