/*
 * The SQS partial-batch response, as Lambda reads it (`ReportBatchItemFailures` on the event
 * source mapping). The same shape as `SQSBatchResponse` in `@types/aws-lambda`, written here so
 * that this package's declarations compile without that package.
 */

/** One message to retry, named by its `messageId`. */
export interface SQSBatchItemFailure {
  itemIdentifier: string;
}

/** The messages of a batch to retry; the others are deleted from the queue. */
export interface SQSBatchResponse {
  batchItemFailures: SQSBatchItemFailure[];
}
