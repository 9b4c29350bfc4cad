package dev.switchboard.chaos;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address block such as {@code 10.1.0.0/16} or {@code ::1/128}; a bare address is a block of one. */
public record Cidr(String text, byte[] network, int prefixBits) {

    public static Cidr parse(String text) {
        String[] parts = text.strip().split("/", 2);
        if (!parts[0].matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("'" + text + "' is not an address block like 10.0.0.0/8");
        }
        byte[] address;
        try {
            address = InetAddress.getByName(parts[0]).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an address block like 10.0.0.0/8");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (parts.length == 2) {
            try {
                prefix = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0-" + bits);
            }
        }
        return new Cidr(text.strip(), address, prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int shift = network.length * 8 - prefixBits;
        BigInteger mask = prefixBits == 0 ? BigInteger.ZERO
                : BigInteger.ONE.shiftLeft(prefixBits).subtract(BigInteger.ONE).shiftLeft(shift);
        return new BigInteger(1, candidate).and(mask).equals(new BigInteger(1, network).and(mask));
    }

    @Override
    public String toString() {
        return text;
    }
}
