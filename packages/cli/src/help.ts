import { MIME_TYPES, SUPPORTED_FORMATS } from '@image-sanitizer/core';
import type { CommandName } from './args.js';

const FORMAT_NAMES: Record<string, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF', heic: 'HEIC', avif: 'AVIF', tiff: 'TIFF' };
const nameOf = (format: string) => FORMAT_NAMES[format] ?? format.toUpperCase();
const SUPPORTED = SUPPORTED_FORMATS.map(nameOf).join(', ');
const NOT_YET = Object.keys(MIME_TYPES)
  .filter((format) => !(SUPPORTED_FORMATS as readonly string[]).includes(format))
  .map(nameOf)
  .join(', ');

const MAIN = `image-sanitizer - remove privacy-leaking metadata from images, losslessly

Usage:
  image-sanitizer clean <files|folders...> (-o <outdir> | --in-place) [options]
  image-sanitizer clean - < in.jpg > out.jpg
  image-sanitizer inspect <files|folders...> [options]
  image-sanitizer check <files|folders...> [options]
  image-sanitizer <command> --help
  image-sanitizer --version

Commands:
  clean     Write copies without EXIF, GPS, XMP, IPTC, comments, thumbnails and trailers
            (the pixels are not re-encoded), or replace the files in place.
  inspect   Show what each image carries and what 'clean' would remove or keep.
  check     Exit 1 when any image carries removable metadata (for CI and pre-commit hooks).

Paths: '-' is standard input ('clean -' writes the image to standard output).
A named path that does not exist is reported (exit 1) and the rest processed;
when none exists, or no image is found, it is a usage error (exit 2) unless
--allow-empty.

Exit codes:
  0    every file was cleaned / is clean
  1    some file was rejected, carries removable metadata, could not be read,
       or a named path is missing
  2    the command line is wrong (unknown option, no path exists, no image found, ...)
  3    internal error (a bug; please report it)
  130  interrupted (Ctrl-C); 143: stopped by SIGTERM

Supported formats: ${SUPPORTED}. Other images are reported, never passed through.`;

const SHARED_OPTIONS = `  --no-keep-color-profile  Remove the ICC colour profile too (kept by default).
  --no-keep-orientation    Drop the EXIF orientation too (by default it is kept as a
                           fresh EXIF block holding only the Orientation tag).
  --json                   Print one JSON document on stdout instead of the text report
                           (with schemaVersion; statuses: see the CLI README).
  --allow-empty            Finding no image is a success (exit 0), not a usage error.
  -h, --help               Show this help.`;

const FOLDERS = `Folders are walked recursively in natural order (p1, p2, p10), skipping hidden entries (.git, ...) and node_modules.
A file found in a folder is processed when its bytes or its extension say image; any
other file is skipped and reported as skipped, not as a failure. A file named on the
command line is always processed, so a named non-image is rejected (UNSUPPORTED_FORMAT).
Symbolic links found in folders are not followed.`;

const COMMAND_HELP: Record<CommandName, string> = {
  clean: `Usage: image-sanitizer clean <files|folders...> (-o <outdir> | --in-place) [options]

Remove metadata from images (${SUPPORTED}) without re-encoding the pixels.
Every write is atomic (a temp file in the same folder, then a rename): an
interrupted run never leaves a half-written image, and --in-place never
destroys an original it could not replace.

Options:
  -o, --out-dir <dir>      Write cleaned copies under <dir>, keeping each file's path
                           relative to the folder named on the command line (a named
                           file goes to <dir>/<its name>). An output that would
                           replace an input is refused (exit 2).
  --in-place               Replace each file with its cleaned version (files that are
                           already clean are left untouched).
${SHARED_OPTIONS}
  -v, --verbose            List every file and what was removed from it.
  -j, --jobs <n>           Worker threads (default: one per core for more than 32
                           files totalling 16 MiB or more, 256 KiB or more on
                           average; otherwise 1 = on the main thread).
  --no-progress            No progress bar (it is only drawn on a terminal anyway).

${FOLDERS}

Files that cannot be cleaned (not an image, unsupported format, truncated,
malformed, unreadable) are not written; they are listed at the end with a
reason code, and the exit code is 1.

Examples:
  image-sanitizer clean photos/ -o clean-photos/
  image-sanitizer clean --in-place IMG_0001.jpg IMG_0002.jpg
  image-sanitizer clean - < in.jpg > out.jpg
  image-sanitizer clean uploads/ -o public/ --no-keep-color-profile --json > report.json`,

  inspect: `Usage: image-sanitizer inspect <files|folders...> [options]

Show what each image reveals - GPS position, camera make/model/serial numbers,
dates, software, author and copyright fields (decoded with exifr) - and every
metadata container image-sanitizer finds, including the ones other tools miss:
thumbnails, secondary images (MPF), trailers after the image, PNG text chunks,
comments between JPEG scans. Each container is marked 'remove' or 'keep' as
'clean' with the same options would treat it.

Options:
${SHARED_OPTIONS}

${FOLDERS}

Exit code 1 when any file could not be inspected (unreadable, unsupported, malformed).

Examples:
  image-sanitizer inspect IMG_0001.jpg
  image-sanitizer inspect photos/ --json | jq '.files[] | {path, gps: .metadata.gps}'`,

  check: `Usage: image-sanitizer check <files|folders...> [options]

Exit 1 and list the offenders when any image carries metadata that 'clean'
(with the same options) would remove; exit 0 when all are clean. Meant for CI
jobs and pre-commit hooks.

An image that cannot be verified - unreadable, malformed, truncated, or in a
format image-sanitizer cannot clean yet${NOT_YET === '' ? '' : ` (${NOT_YET})`} - is
reported and also makes the exit code 1: check never vouches for a file it
could not read.

Options:
${SHARED_OPTIONS}
  -j, --jobs <n>           Worker threads (default: one per core for more than 32
                           files totalling 16 MiB or more, 256 KiB or more on average).
  --no-progress            No progress bar.

${FOLDERS}

Examples:
  image-sanitizer check assets/
  git diff --cached --name-only --diff-filter=ACM -z -- '*.jpg' '*.jpeg' '*.png' | xargs -0 -r image-sanitizer check
  image-sanitizer check public/ --no-keep-color-profile --json`,
};

export function helpText(topic?: CommandName): string {
  return topic === undefined ? MAIN : COMMAND_HELP[topic];
}
