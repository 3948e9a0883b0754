// The editor bundled into site/static/vendor/codemirror.js (see build.sh): CodeMirror 6 with Python,
// exposed as the global AttnbankCM so that a classic <script> loads it (ES modules are blocked on file://).
import {defaultKeymap, history, historyKeymap, indentWithTab} from "@codemirror/commands";
import {pythonLanguage} from "@codemirror/lang-python";
import {bracketMatching, indentOnInput, indentUnit, LanguageSupport, syntaxHighlighting} from "@codemirror/language";
import {EditorState} from "@codemirror/state";
import {drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers} from "@codemirror/view";
import {classHighlighter} from "@lezer/highlight";

// parent: the element to fill; doc: the text; onChange(text); onRun(): Mod-Enter; attrs: of the editable element
export function createEditor({parent, doc, onChange, onRun, attrs}) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(), history(), drawSelection(), highlightActiveLine(), indentOnInput(), bracketMatching(),
        indentUnit.of("    "), new LanguageSupport(pythonLanguage), syntaxHighlighting(classHighlighter),
        keymap.of([{key: "Mod-Enter", preventDefault: true, run: () => { onRun(); return true; }},
                   ...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of(attrs),
        EditorView.updateListener.of(u => { if (u.docChanged) onChange(u.state.doc.toString()); }),
      ],
    }),
  });
  return {
    view,
    get: () => view.state.doc.toString(),
    set: text => view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}}),
  };
}
