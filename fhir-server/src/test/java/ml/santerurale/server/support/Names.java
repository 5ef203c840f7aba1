package ml.santerurale.server.support;

import java.util.concurrent.ThreadLocalRandom;

/** Unique words of letters only, for names that searches must find (and nothing else must). */
public final class Names {

    private Names() {}

    public static String unique(int length) {
        StringBuilder word = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            word.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return word.toString();
    }
}
