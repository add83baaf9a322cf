// piexifjs 1.0 ships no types; the tests use dump/insert and the tag tables.
declare module 'piexifjs' {
  const piexif: {
    dump(dictionary: Record<string, Record<number, unknown>>): string;
    insert(exif: string, jpeg: string): string;
    ImageIFD: Record<string, number>;
    ExifIFD: Record<string, number>;
    GPSIFD: Record<string, number>;
  };
  export default piexif;
}
