import io

from neuroflow.datasets._progress import DownloadProgress

MB = 1024 * 1024


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_render_shows_percentage_and_megabytes():
    bar = DownloadProgress("file.gz", total=4 * MB, initial=MB, stream=io.StringIO(), width=4)
    assert bar.render() == "file.gz:  25% [=>  ] 1.0/4.0 MB"


def test_render_without_total_shows_megabytes_only():
    bar = DownloadProgress("file.gz", total=None, initial=3 * MB, stream=io.StringIO())
    assert bar.render() == "file.gz: 3.0 MB"


def test_non_terminal_gets_only_the_final_line():
    stream = io.StringIO()
    bar = DownloadProgress("f", total=10, stream=stream)
    bar.update(5)
    bar.update(5)
    bar.close()
    assert stream.getvalue().count("\n") == 1 and "100%" in stream.getvalue()


def test_terminal_line_is_redrawn_in_place():
    stream = _Terminal()
    bar = DownloadProgress("f", total=10, stream=stream, min_interval=0.0)
    bar.update(5)
    bar.close()
    assert stream.getvalue().startswith("\rf:  50%") and stream.getvalue().endswith("\n")
