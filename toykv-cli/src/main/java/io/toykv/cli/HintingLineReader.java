package io.toykv.cli;

import java.util.List;
import java.util.Map;
import org.jline.reader.MaskingCallback;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * JLine's line reader plus {@link ArgumentHints}: while the cursor is at the end of the line, the
 * arguments still to type are drawn faint after it. JLine decides when suggestions may show (not on
 * the final redraw of an accepted or interrupted line, not on dumb terminals), so the hint follows the
 * same flag; the cursor position is computed from the buffer alone, so the hint never moves it. While
 * typed keys wait to be read, the line is not redrawn (see {@link #redisplay(boolean)}).
 */
final class HintingLineReader extends LineReaderImpl {

    HintingLineReader(Terminal terminal, Map<String, Object> variables) {
        super(terminal, "toykv-cli", variables);
    }

    /** Keys typed ahead are looked for this long before a redraw; a redraw waits no longer than that. */
    static final long TYPE_AHEAD_PEEK_MILLIS = 1;

    /** The hint for a line this client has none for (a server command's summary); never a round trip. */
    private volatile java.util.function.Function<String, String> fallbackHints = line -> "";

    void setFallbackHints(java.util.function.Function<String, String> hints) {
        this.fallbackHints = hints;
    }

    /** Set while JLine draws an accepted line for the last time: that redraw must never be skipped. */
    private boolean finishing;
    /** The thread in readLine: redraws from others (a resize, from the signal thread) are never skipped. */
    private volatile Thread readingThread;

    /**
     * Skips the redraw while more keys already wait to be read (typing faster than the screen, or a
     * paste without bracketed paste): a redraw costs the whole line, so one per key makes typing a long
     * line quadratic; the redraw after the last waiting key shows everything.
     */
    @Override
    protected void redisplay(boolean flush) {
        if (reading
                && !finishing
                && Thread.currentThread() == readingThread
                && bindingReader.peekCharacter(TYPE_AHEAD_PEEK_MILLIS) >= 0) {
            return;
        }
        super.redisplay(flush);
    }

    @Override
    public String readLine(String prompt, String rightPrompt, MaskingCallback maskingCallback, String buffer) {
        readingThread = Thread.currentThread();
        try {
            return super.readLine(prompt, rightPrompt, maskingCallback, buffer);
        } finally {
            readingThread = null;
        }
    }

    @Override
    protected void doCleanup(boolean nl) {
        finishing = true;
        try {
            super.doCleanup(nl);
        } finally {
            finishing = false;
        }
    }

    @Override
    public AttributedString getDisplayedBufferWithPrompts(List<AttributedString> secondaryPrompts) {
        boolean showHint = doAutosuggestion
                && post == null
                && !Repl.isDumb(getTerminal())
                && buf.length() > 0
                && buf.cursor() == buf.length();
        AttributedString shown = super.getDisplayedBufferWithPrompts(secondaryPrompts);
        if (!showHint) {
            return shown;
        }
        // Not buf.toString(): that copies the whole line on every key press.
        String hint = buf.length() > ArgumentHints.MAX_LINE ? "" : ArgumentHints.hint(buf.toString());
        if (hint.isEmpty() && buf.length() <= ArgumentHints.MAX_LINE) {
            hint = fallbackHints.apply(buf.toString());
        }
        if (hint.isEmpty()) {
            return shown;
        }
        return new AttributedStringBuilder()
                .append(shown)
                .styled(AttributedStyle::faint, hint)
                .toAttributedString();
    }
}
