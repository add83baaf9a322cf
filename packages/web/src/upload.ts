// The upload example page: the form of examples/browser-upload.ts, cleaning before the PUT to a presigned S3 URL.
import { wireUploadForm } from '../../../examples/browser-upload.js';

wireUploadForm(document.getElementById('upload') as HTMLFormElement);
