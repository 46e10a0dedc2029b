package io.jkvm.vmm.profile;

import io.jkvm.vmm.boot.BootException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A kernel's text symbols from its {@code System.map} ({@code ffffffff81000000 T _text} per line), sorted by
 * address, so a sampled RIP resolves to the function containing it. The map only matches a kernel booted
 * without address randomisation ({@code nokaslr}).
 */
public final class SymbolMap {
    private final long[] addresses;
    private final String[] names;

    private SymbolMap(long[] addresses, String[] names) {
        this.addresses = addresses;
        this.names = names;
    }

    public static SymbolMap load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new BootException(file + ": cannot read the symbol map: " + e.getMessage());
        }
        record Sym(long addr, String name) { }
        List<Sym> syms = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3 || f[1].length() != 1 || "tTwW".indexOf(f[1].charAt(0)) < 0) continue;
            try {
                syms.add(new Sym(Long.parseUnsignedLong(f[0], 16), f[2]));
            } catch (NumberFormatException e) {
                // not a symbol line
            }
        }
        if (syms.isEmpty()) throw new BootException(file + ": no text symbols ('<address> T <name>' lines): not a System.map");
        syms.sort(Comparator.comparing(Sym::addr, Long::compareUnsigned));
        long[] a = new long[syms.size()];
        String[] n = new String[syms.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = syms.get(i).addr();
            n[i] = syms.get(i).name();
        }
        return new SymbolMap(a, n);
    }

    /** The function containing {@code rip}, or null below the first symbol. */
    public String lookup(long rip) {
        int lo = 0, hi = addresses.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(addresses[mid], rip) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? null : names[found];
    }

    public int size() {
        return addresses.length;
    }
}
