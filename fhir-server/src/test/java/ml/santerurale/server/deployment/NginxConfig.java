package ml.santerurale.server.deployment;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An nginx configuration file read as a tree of directives (name, arguments, block), enough to
 * check what it promises: directives, quoting, comments, blocks. Does not evaluate variables,
 * {@code include} or {@code map}.
 */
record NginxConfig(String name, List<String> args, List<NginxConfig> block) {

    static NginxConfig parse(String text) {
        List<Token> tokens = tokenize(text);
        int[] position = {0};
        NginxConfig root = new NginxConfig("", List.of(), new ArrayList<>());
        readBlock(tokens, position, root.block(), false);
        return root;
    }

    List<NginxConfig> all(String directive) {
        return block == null ? List.of() : block.stream().filter(d -> d.name().equals(directive)).toList();
    }

    Optional<NginxConfig> first(String directive) {
        return all(directive).stream().findFirst();
    }

    /** Every directive of that name at any depth below this one. */
    List<NginxConfig> everywhere(String directive) {
        List<NginxConfig> found = new ArrayList<>();
        if (block != null) {
            for (NginxConfig child : block) {
                if (child.name().equals(directive)) {
                    found.add(child);
                }
                found.addAll(child.everywhere(directive));
            }
        }
        return found;
    }

    String arg(int index) {
        return args.get(index);
    }

    /**
     * The location nginx picks for {@code path} among this server's locations: exact match, else
     * the longest prefix if it has {@code ^~}, else the first regular expression that matches,
     * else the longest prefix. Named locations ({@code @name}) never match a request.
     */
    Optional<NginxConfig> locationFor(String path) {
        NginxConfig longest = null;
        int longestLength = -1;
        for (NginxConfig location : all("location")) {
            if (location.args().size() == 2 && location.arg(0).equals("=") && location.arg(1).equals(path)) {
                return Optional.of(location);
            }
            String prefix = location.args().size() == 1 ? location.arg(0)
                    : location.arg(0).equals("^~") ? location.arg(1) : null;
            if (prefix != null && !prefix.startsWith("@") && path.startsWith(prefix) && prefix.length() > longestLength) {
                longest = location;
                longestLength = prefix.length();
            }
        }
        if (longest != null && longest.arg(0).equals("^~")) {
            return Optional.of(longest);
        }
        for (NginxConfig location : all("location")) {
            if (location.args().size() == 2 && (location.arg(0).equals("~") || location.arg(0).equals("~*"))) {
                int flags = location.arg(0).equals("~*") ? Pattern.CASE_INSENSITIVE : 0;
                if (Pattern.compile(location.arg(1), flags).matcher(path).find()) {
                    return Optional.of(location);
                }
            }
        }
        return Optional.ofNullable(longest);
    }

    /** A word of the file; {@code structural} for an unquoted ; { or }. */
    private record Token(String text, boolean structural) {}

    private static void readBlock(List<Token> tokens, int[] position, List<NginxConfig> into, boolean nested) {
        List<String> words = new ArrayList<>();
        while (position[0] < tokens.size()) {
            Token next = tokens.get(position[0]++);
            String token = next.structural() ? next.text() : "word";
            switch (token) {
                case ";" -> {
                    require(!words.isEmpty(), "an empty directive before ';'");
                    into.add(new NginxConfig(words.get(0), List.copyOf(words.subList(1, words.size())), null));
                    words.clear();
                }
                case "{" -> {
                    require(!words.isEmpty(), "a block without a directive");
                    List<NginxConfig> children = new ArrayList<>();
                    readBlock(tokens, position, children, true);
                    into.add(new NginxConfig(words.get(0), List.copyOf(words.subList(1, words.size())), children));
                    words.clear();
                }
                case "}" -> {
                    require(nested && words.isEmpty(), "an unexpected '}'");
                    return;
                }
                default -> words.add(next.text());
            }
        }
        require(!nested && words.isEmpty(), "the file ends inside a block or a directive");
    }

    private static List<Token> tokenize(String text) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == ';' || c == '{' || c == '}') {
                tokens.add(new Token(String.valueOf(c), true));
                i++;
            } else if (c == '"' || c == '\'') {
                int end = i + 1;
                StringBuilder value = new StringBuilder();
                while (end < text.length() && text.charAt(end) != c) {
                    if (text.charAt(end) == '\\' && end + 1 < text.length()) {
                        end++;
                    }
                    value.append(text.charAt(end++));
                }
                require(end < text.length(), "an unterminated quote");
                tokens.add(new Token(value.toString(), false));
                i = end + 1;
            } else {
                int end = i;
                while (end < text.length() && !Character.isWhitespace(text.charAt(end))
                        && ";{}".indexOf(text.charAt(end)) < 0) {
                    end++;
                }
                tokens.add(new Token(text.substring(i, end), false));
                i = end;
            }
        }
        return tokens;
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException("nginx configuration: " + problem);
        }
    }
}
