package dev.binlogsync.core.filter;

/**
 * A filter expression that cannot be parsed. The message names the 1-based character position,
 * what was expected and what was found, and shows the expression with a caret under the position:
 *
 * <pre>
 * expected ')' at position 13 but found end of input
 *   type IN (1,2
 *               ^
 * </pre>
 *
 * <p>It is an {@link IllegalArgumentException} because a filter is configuration: builders that
 * take a filter expression throw it at once. Immutable.
 */
public final class FilterSyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String expression;
    private final int position;
    private final String expected;
    private final String found;

    /**
     * @param expression the whole expression text
     * @param position 1-based character position of the problem ({@code length + 1} for the end)
     * @param expected what the parser expected there, e.g. {@code "')'"} or {@code "a value"}
     * @param found what it found there, e.g. {@code "end of input"} or {@code "'AND'"}
     */
    public FilterSyntaxException(String expression, int position, String expected, String found) {
        super(message(expression, position, expected, found));
        this.expression = expression;
        this.position = position;
        this.expected = expected;
        this.found = found;
    }

    private static String message(String expression, int position, String expected, String found) {
        StringBuilder sb = new StringBuilder();
        sb.append("expected ").append(expected).append(" at position ").append(position)
                .append(" but found ").append(found);
        // One line only, so the caret lines up; long or multi-line expressions are shown flattened.
        String shown = expression.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
        if (shown.length() <= 200) {
            sb.append("\n  ").append(shown).append("\n  ");
            sb.append(" ".repeat(Math.max(0, Math.min(position - 1, shown.length())))).append('^');
        }
        return sb.toString();
    }

    /** The expression that failed to parse. */
    public String expression() {
        return expression;
    }

    /** The 1-based character position of the problem; {@code expression().length() + 1} means the end. */
    public int position() {
        return position;
    }

    /** What the parser expected at {@link #position()}. */
    public String expected() {
        return expected;
    }

    /** What it found there instead. */
    public String found() {
        return found;
    }
}
