/**
 * The report's own script (inlined, allowed by its hash in the page's CSP). It draws each
 * run's diff with diff2html when the run is opened, switches line-by-line / side-by-side,
 * and folds large files (a very large diff is drawn without highlighting). The diff text comes from a JSON script element, never from markup.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var LARGE_FILE_LINES = 400;
  var OPEN_FILES = 25;
  // Highlighting is most of the drawing time: a diff larger than this is drawn plain.
  var HIGHLIGHT_MAX_CHARS = 400000;
  function config(format, highlight) {
    return {
      outputFormat: format, drawFileList: true, fileListToggle: true, fileListStartVisible: false,
      fileContentToggle: true, matching: 'lines', highlight: highlight, synchronisedScroll: true,
      stickyFileHeaders: false, colorScheme: 'light', diffMaxChanges: 3000, diffMaxLineLength: 5000,
      maxLineLengthHighlight: 2000, renderNothingWhenEmpty: false,
      diffTooBigMessage: function () { return 'This file changed too much to show here: see diff.patch'; }
    };
  }
  function foldLargeFiles(view) {
    view.querySelectorAll('.d2h-file-wrapper').forEach(function (file, index) {
      var changed = file.querySelectorAll('td.d2h-ins:not(.d2h-code-linenumber):not(.d2h-code-side-linenumber), td.d2h-del:not(.d2h-code-linenumber):not(.d2h-code-side-linenumber)').length;
      var toggle = file.querySelector('.d2h-file-collapse-input');
      if (toggle && !toggle.checked && (changed > LARGE_FILE_LINES || index >= OPEN_FILES)) toggle.click();
    });
  }
  function draw(box) {
    var source = document.getElementById(box.getAttribute('data-patch'));
    var view = box.querySelector('.diff-view');
    var format = box.getAttribute('data-format') || 'line-by-line';
    if (!source || !view || box.getAttribute('data-drawn') === format) return;
    if (typeof window.Diff2HtmlUI !== 'function') { view.textContent = 'The diff viewer did not load.'; return; }
    var patch = JSON.parse(source.textContent || '""');
    var ui = new window.Diff2HtmlUI(view, patch, config(format, patch.length <= HIGHLIGHT_MAX_CHARS));
    ui.draw();
    foldLargeFiles(view);
    box.setAttribute('data-drawn', format);
    box.querySelectorAll('button[data-format]').forEach(function (button) {
      button.setAttribute('aria-pressed', String(button.getAttribute('data-format') === format));
    });
  }
  function drawOpenRuns() {
    document.querySelectorAll('details.run[open] .diff').forEach(draw);
  }
  document.querySelectorAll('.diff button[data-format]').forEach(function (button) {
    button.addEventListener('click', function () {
      var box = button.closest('.diff');
      box.setAttribute('data-format', button.getAttribute('data-format'));
      draw(box);
    });
  });
  document.querySelectorAll('details.run').forEach(function (run) {
    run.addEventListener('toggle', function () { if (run.open) run.querySelectorAll('.diff').forEach(draw); });
  });
  if (location.hash) {
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.tagName === 'DETAILS') target.open = true;
  }
  document.querySelectorAll('a[href^="#run-"]').forEach(function (link) {
    link.addEventListener('click', function () {
      var target = document.getElementById(link.getAttribute('href').slice(1));
      if (target) target.open = true;
    });
  });
  drawOpenRuns();
  document.documentElement.setAttribute('data-report-ready', 'true');
})();
`;
