package io.toykv.cli;

import java.util.List;
import java.util.Map;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * JLine's line reader plus {@link ArgumentHints}: while the cursor is at the end of the line, the
 * arguments still to type are drawn faint after it. JLine decides when suggestions may show (not on
 * the final redraw of an accepted or interrupted line, not on dumb terminals), so the hint follows the
 * same flag; the cursor position is computed from the buffer alone, so the hint never moves it.
 */
final class HintingLineReader extends LineReaderImpl {

    HintingLineReader(Terminal terminal, Map<String, Object> variables) {
        super(terminal, "toykv-cli", variables);
    }

    private boolean isDumb() {
        String type = getTerminal().getType();
        return Terminal.TYPE_DUMB.equals(type) || Terminal.TYPE_DUMB_COLOR.equals(type);
    }

    @Override
    public AttributedString getDisplayedBufferWithPrompts(List<AttributedString> secondaryPrompts) {
        boolean showHint = doAutosuggestion && post == null && !isDumb()
                && buf.length() > 0 && buf.cursor() == buf.length();
        AttributedString shown = super.getDisplayedBufferWithPrompts(secondaryPrompts);
        if (!showHint) {
            return shown;
        }
        String hint = ArgumentHints.hint(buf.toString());
        if (hint.isEmpty()) {
            return shown;
        }
        return new AttributedStringBuilder()
                .append(shown)
                .styled(AttributedStyle::faint, hint)
                .toAttributedString();
    }
}
