package dev.binlogsync.core.filter.internal;

import dev.binlogsync.core.filter.FilterSyntaxException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Recursive-descent parser for the filter language. Grammar (keywords case-insensitive):
 *
 * <pre>
 * filter     := [ SELECT '*' FROM name ['.' name] [ WHERE ] ] [ or ] EOF   (or required unless SELECT without WHERE)
 * or         := and ( OR and )*
 * and        := not ( AND not )*
 * not        := NOT not | '(' or ')' | predicate
 * predicate  := operand ( cmp operand
 *                       | [NOT] IN '(' literal (',' literal)* ')'
 *                       | [NOT] BETWEEN operand AND operand
 *                       | [NOT] LIKE string [ ESCAPE string ]
 *                       | IS [NOT] NULL )?
 * cmp        := '=' | '!=' | '&lt;&gt;' | '&lt;' | '&lt;=' | '&gt;' | '&gt;='
 * operand    := name | `back-quoted name` | literal
 * literal    := ['+'|'-'] number | 'string' | "string" | TRUE | FALSE | NULL
 * </pre>
 *
 * <p>Nesting (parentheses, NOT) is limited to {@value #MAX_DEPTH} levels so no input can overflow
 * the stack. Every malformed input ends in {@link FilterSyntaxException}. One instance parses one
 * expression; not thread-safe.
 */
public final class Parser {
    static final int MAX_DEPTH = 200;
    private static final int MAX_EXPONENT = 1000;

    private static final Set<String> KEYWORDS = Set.of(
            "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "ESCAPE", "IS",
            "NULL", "TRUE", "FALSE");

    private enum Kind { NAME, QUOTED_NAME, NUMBER, STRING, OP, LPAREN, RPAREN, COMMA, STAR, DOT, EOF }

    private static final class Token {
        final Kind kind;
        final String text;
        final int start;

        Token(Kind kind, String text, int start) {
            this.kind = kind;
            this.text = text;
            this.start = start;
        }

        boolean isKeyword(String kw) {
            return kind == Kind.NAME && text.equalsIgnoreCase(kw);
        }

        String describe() {
            switch (kind) {
                case EOF: return "end of input";
                case STRING: return "string '" + abbreviate(text) + "'";
                case QUOTED_NAME: return "`" + abbreviate(text) + "`";
                case NUMBER: return "number " + abbreviate(text);
                default: return "'" + abbreviate(text) + "'";
            }
        }

        private static String abbreviate(String s) {
            return s.length() > 30 ? s.substring(0, 30) + "..." : s;
        }
    }

    /** The parse result. */
    public static final class Result {
        public final Expr root;
        public final Set<String> columns;
        @Nullable public final String fromTable;

        Result(Expr root, Set<String> columns, @Nullable String fromTable) {
            this.root = root;
            this.columns = columns;
            this.fromTable = fromTable;
        }
    }

    private final String src;
    private int pos;
    private Token current;
    private int depth;
    private final Set<String> columns = new LinkedHashSet<>();

    private Parser(String src) {
        this.src = src;
    }

    /** Parses {@code expression}; throws {@link FilterSyntaxException} on any malformed input. */
    public static Result parse(String expression) {
        Parser p = new Parser(expression);
        p.advance();
        return p.filter();
    }

    // ------------------------------------------------------------------ lexer

    private void advance() {
        current = lex();
    }

    private Token lex() {
        int n = src.length();
        while (pos < n && Character.isWhitespace(src.charAt(pos))) {
            pos++;
        }
        int start = pos;
        if (pos >= n) {
            return new Token(Kind.EOF, "", start);
        }
        char c = src.charAt(pos);
        if (isNameStart(c)) {
            while (pos < n && isNamePart(src.charAt(pos))) {
                pos++;
            }
            return new Token(Kind.NAME, src.substring(start, pos), start);
        }
        if (isDigit(c) || (c == '.' && pos + 1 < n && isDigit(src.charAt(pos + 1)))) {
            return number(start);
        }
        switch (c) {
            case '`':
                return quoted(start, '`', Kind.QUOTED_NAME, "closing '`'");
            case '\'':
                return quoted(start, '\'', Kind.STRING, "closing quote (')");
            case '"':
                return quoted(start, '"', Kind.STRING, "closing quote (\")");
            case '(':
                pos++;
                return new Token(Kind.LPAREN, "(", start);
            case ')':
                pos++;
                return new Token(Kind.RPAREN, ")", start);
            case ',':
                pos++;
                return new Token(Kind.COMMA, ",", start);
            case '*':
                pos++;
                return new Token(Kind.STAR, "*", start);
            case '.':
                pos++;
                return new Token(Kind.DOT, ".", start);
            case '=':
                pos++;
                return new Token(Kind.OP, "=", start);
            case '+':
            case '-':
                pos++;
                return new Token(Kind.OP, String.valueOf(c), start);
            case '!':
                if (pos + 1 < n && src.charAt(pos + 1) == '=') {
                    pos += 2;
                    return new Token(Kind.OP, "!=", start);
                }
                throw error(start, "'!='", "'!'");
            case '<':
                if (pos + 1 < n && (src.charAt(pos + 1) == '=' || src.charAt(pos + 1) == '>')) {
                    pos += 2;
                    return new Token(Kind.OP, src.substring(start, pos), start);
                }
                pos++;
                return new Token(Kind.OP, "<", start);
            case '>':
                if (pos + 1 < n && src.charAt(pos + 1) == '=') {
                    pos += 2;
                    return new Token(Kind.OP, ">=", start);
                }
                pos++;
                return new Token(Kind.OP, ">", start);
            default:
                throw error(start, "a name, value, operator or parenthesis",
                        "'" + new String(Character.toChars(src.codePointAt(start))) + "'");
        }
    }

    private Token number(int start) {
        int n = src.length();
        while (pos < n && isDigit(src.charAt(pos))) {
            pos++;
        }
        if (pos < n && src.charAt(pos) == '.') {
            pos++;
            while (pos < n && isDigit(src.charAt(pos))) {
                pos++;
            }
        }
        if (pos < n && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < n && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < n && isDigit(src.charAt(pos))) {
                while (pos < n && isDigit(src.charAt(pos))) {
                    pos++;
                }
            } else {
                throw error(pos, "digits of the exponent", pos < n ? "'" + src.charAt(pos) + "'" : "end of input");
            }
        }
        if (pos < n && isNamePart(src.charAt(pos))) {
            throw error(pos, "an operator or end of the number", "'" + src.charAt(pos) + "'");
        }
        return new Token(Kind.NUMBER, src.substring(start, pos), start);
    }

    private Token quoted(int start, char quote, Kind kind, String expectedClose) {
        int n = src.length();
        StringBuilder sb = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= n) {
                throw error(n, expectedClose + " for the one at position " + (start + 1), "end of input");
            }
            char c = src.charAt(pos);
            if (c == quote) {
                if (pos + 1 < n && src.charAt(pos + 1) == quote) {
                    sb.append(quote);
                    pos += 2;
                    continue;
                }
                pos++;
                break;
            }
            if (c == '\\' && kind == Kind.STRING && pos + 1 < n
                    && (src.charAt(pos + 1) == quote || src.charAt(pos + 1) == '\\')) {
                // \' and \\ as in MySQL; other backslash sequences stay as they are so that LIKE
                // escapes such as \% and \_ reach the pattern intact.
                sb.append(src.charAt(pos + 1));
                pos += 2;
                continue;
            }
            sb.append(c);
            pos++;
        }
        if (kind == Kind.QUOTED_NAME && sb.length() == 0) {
            throw error(start, "a non-empty name", "``");
        }
        return new Token(kind, sb.toString(), start);
    }

    private static boolean isNameStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || (c > 127 && Character.isLetter(c));
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || isDigit(c) || (c > 127 && Character.isLetterOrDigit(c));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    // ----------------------------------------------------------------- parser

    private FilterSyntaxException error(int index, String expected, String found) {
        return new FilterSyntaxException(src, index + 1, expected, found);
    }

    private FilterSyntaxException expected(String what) {
        return error(current.start, what, current.describe());
    }

    private void expectKeyword(String kw) {
        if (!current.isKeyword(kw)) {
            throw expected(kw);
        }
        advance();
    }

    private void expect(Kind kind, String what) {
        if (current.kind != kind) {
            throw expected(what);
        }
        advance();
    }

    private Result filter() {
        String fromTable = null;
        Expr root;
        if (current.isKeyword("SELECT")) {
            advance();
            expect(Kind.STAR, "'*'");
            expectKeyword("FROM");
            fromTable = name("a table name");
            if (current.kind == Kind.DOT) {
                advance();
                fromTable = fromTable + "." + name("a table name after '.'");
            }
            if (current.kind == Kind.EOF) {
                return new Result(new Expr.Const(Expr.TRUE), Set.of(), fromTable);
            }
            expectKeyword("WHERE");
        }
        if (current.kind == Kind.EOF) {
            throw expected("a condition");
        }
        root = or();
        if (current.kind != Kind.EOF) {
            throw expected("AND, OR or end of input");
        }
        return new Result(root, Set.copyOf(columns), fromTable);
    }

    private String name(String what) {
        if (current.kind == Kind.QUOTED_NAME || (current.kind == Kind.NAME && !isKeyword(current.text))) {
            String s = current.text;
            advance();
            return s;
        }
        throw expected(what);
    }

    private static boolean isKeyword(String s) {
        return KEYWORDS.contains(s.toUpperCase(Locale.ROOT));
    }

    private Expr or() {
        Expr first = and();
        if (!current.isKeyword("OR")) {
            return first;
        }
        List<Expr> parts = new ArrayList<>();
        parts.add(first);
        while (current.isKeyword("OR")) {
            advance();
            parts.add(and());
        }
        return new Expr.Or(parts.toArray(new Expr[0]));
    }

    private Expr and() {
        Expr first = not();
        if (!current.isKeyword("AND")) {
            return first;
        }
        List<Expr> parts = new ArrayList<>();
        parts.add(first);
        while (current.isKeyword("AND")) {
            advance();
            parts.add(not());
        }
        return new Expr.And(parts.toArray(new Expr[0]));
    }

    private Expr not() {
        if (current.isKeyword("NOT")) {
            enter();
            advance();
            Expr inner = not();
            depth--;
            return new Expr.Not(inner);
        }
        if (current.kind == Kind.LPAREN) {
            enter();
            advance();
            Expr inner = or();
            expect(Kind.RPAREN, "')' or AND / OR");
            depth--;
            return inner;
        }
        return predicate();
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error(current.start, "at most " + MAX_DEPTH + " nested levels", "deeper nesting");
        }
    }

    private Expr predicate() {
        Operand left = operand();
        if (current.kind == Kind.OP) {
            int op = comparison(current.text);
            if (op < 0) {
                throw expected("a comparison operator");
            }
            advance();
            Operand right = operand();
            if (left instanceof Operand.Column && right instanceof Literal) {
                return new Expr.CompareLiteral(((Operand.Column) left).name, op, (Literal) right);
            }
            if (left instanceof Literal && right instanceof Operand.Column) {
                return new Expr.CompareLiteral(((Operand.Column) right).name, Expr.flip(op), (Literal) left);
            }
            return new Expr.Compare(left, op, right);
        }
        boolean negated = false;
        if (current.isKeyword("NOT")) {
            advance();
            negated = true;
            if (!(current.isKeyword("IN") || current.isKeyword("BETWEEN") || current.isKeyword("LIKE"))) {
                throw expected("IN, BETWEEN or LIKE after NOT");
            }
        }
        if (current.isKeyword("IN")) {
            advance();
            expect(Kind.LPAREN, "'(' after IN");
            List<Literal> items = new ArrayList<>();
            items.add(literal("a value in the IN list"));
            while (current.kind == Kind.COMMA) {
                advance();
                items.add(literal("a value after ','"));
            }
            expect(Kind.RPAREN, "',' or ')' in the IN list");
            return new Expr.In(left, items.toArray(new Literal[0]), negated);
        }
        if (current.isKeyword("BETWEEN")) {
            advance();
            Operand low = operand();
            expectKeyword("AND");
            Operand high = operand();
            return new Expr.Between(left, low, high, negated);
        }
        if (current.isKeyword("LIKE")) {
            advance();
            if (current.kind != Kind.STRING) {
                throw expected("a string pattern after LIKE");
            }
            String pattern = current.text;
            advance();
            char escape = '\\';
            if (current.isKeyword("ESCAPE")) {
                advance();
                if (current.kind != Kind.STRING || current.text.length() != 1) {
                    throw expected("a one-character string after ESCAPE");
                }
                escape = current.text.charAt(0);
                advance();
            }
            return new Expr.Like(left, new LikePattern(pattern, escape), negated);
        }
        if (current.isKeyword("IS")) {
            advance();
            boolean not = false;
            if (current.isKeyword("NOT")) {
                advance();
                not = true;
            }
            expectKeyword("NULL");
            return new Expr.IsNull(left, not);
        }
        return new Expr.Truth(left);
    }

    private static int comparison(String op) {
        switch (op) {
            case "=": return Expr.EQ;
            case "!=":
            case "<>": return Expr.NE;
            case "<": return Expr.LT;
            case "<=": return Expr.LE;
            case ">": return Expr.GT;
            case ">=": return Expr.GE;
            default: return -1;
        }
    }

    private Operand operand() {
        if (current.kind == Kind.QUOTED_NAME || (current.kind == Kind.NAME && !isKeyword(current.text))) {
            String name = current.text;
            columns.add(name);
            advance();
            return new Operand.Column(name);
        }
        return literal("a column name or a value");
    }

    private Literal literal(String what) {
        Token t = current;
        switch (t.kind) {
            case STRING:
                advance();
                return Literal.ofString(t.text);
            case NUMBER:
                advance();
                return number(t, "");
            case OP:
                if (t.text.equals("-") || t.text.equals("+")) {
                    advance();
                    if (current.kind != Kind.NUMBER) {
                        throw expected("a number after '" + t.text + "'");
                    }
                    Token num = current;
                    advance();
                    return number(num, t.text);
                }
                throw expected(what);
            case NAME:
                if (t.isKeyword("NULL")) {
                    advance();
                    return Literal.nullLiteral();
                }
                if (t.isKeyword("TRUE") || t.isKeyword("FALSE")) {
                    advance();
                    return Literal.ofBoolean(t.isKeyword("TRUE"));
                }
                throw expected(what);
            default:
                throw expected(what);
        }
    }

    private Literal number(Token t, String sign) {
        BigDecimal d;
        try {
            d = new BigDecimal(sign + t.text);
        } catch (NumberFormatException e) {
            throw error(t.start, "a valid number", t.describe());
        }
        long exponent = (long) d.precision() - d.scale() - 1;
        if (Math.abs(exponent) > MAX_EXPONENT && d.signum() != 0) {
            throw error(t.start, "a number within 1e-" + MAX_EXPONENT + " .. 1e" + MAX_EXPONENT, t.describe());
        }
        return Literal.ofNumber(d, sign + t.text);
    }
}
