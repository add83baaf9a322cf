import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ImageSanitizationPipeline } from '../src/pipeline.js';
import type { ImageSanitizationPipelineProps } from '../src/props.js';

/** Inline code, so that construct tests do not depend on the lambda package having been built. */
export const testCode = (): lambda.Code => lambda.Code.fromInline('export const handler = async () => ({ batchItemFailures: [] });');

export interface Synthesized {
  readonly stack: Stack;
  readonly pipeline: ImageSanitizationPipeline;
  readonly template: Template;
  /** Unacknowledged cdk-nag AwsSolutions findings, as "rule at construct path". Empty when compliant. */
  readonly nagFindings: readonly string[];
}

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly violations: readonly { readonly ruleName: string; readonly violatingConstructs: readonly { readonly constructPath: string }[] }[];
  }[];
}

/**
 * Synthesizes a stack holding one pipeline, with cdk-nag's AwsSolutions pack registered as a
 * validation plugin, once. `props` receives the stack so that it can import existing resources.
 */
export function synthesizePipeline(props: (stack: Stack) => ImageSanitizationPipelineProps = () => ({})): Synthesized {
  const build = (withNag: boolean): { app: App; stack: Stack; pipeline: ImageSanitizationPipeline } => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'image-sanitizer-cdk-')) });
    const stack = new Stack(app, 'TestStack');
    const pipeline = new ImageSanitizationPipeline(stack, 'Pipeline', { code: testCode(), ...props(stack) });
    if (withNag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    return { app, stack, pipeline };
  };
  const checked = build(true);
  const cleanUp = (app: App): void => rmSync(app.outdir, { recursive: true, force: true });
  try {
    const assembly = checked.app.synth();
    const template = Template.fromJSON(assembly.getStackByName(checked.stack.stackName).template);
    const nagFindings = readFindings(checked.app.outdir);
    cleanUp(checked.app);
    return { stack: checked.stack, pipeline: checked.pipeline, template, nagFindings };
  } catch (error) {
    const findings = readFindings(checked.app.outdir);
    cleanUp(checked.app);
    if (findings.length === 0) throw error;
    // The findings interrupted synthesis: synthesize again without the checks, so that the
    // template assertions still run and the nag test reports the findings.
    const unchecked = build(false);
    const template = Template.fromJSON(unchecked.app.synth().getStackByName(unchecked.stack.stackName).template);
    cleanUp(unchecked.app);
    return { stack: unchecked.stack, pipeline: unchecked.pipeline, template, nagFindings: findings };
  }
}

function readFindings(outdir: string): string[] {
  const file = join(outdir, 'validation-report.json');
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, 'utf8')) as ValidationReport;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => `${violation.ruleName} at ${construct.constructPath}`),
    ),
  );
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
  readonly Sid?: string;
}

export const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Every statement of every AWS::IAM::Policy attached to the role `roleLogicalId`. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => asArray(policy.Properties.Roles).some((role: unknown) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId })))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** Every identity-policy statement in the template (IAM policies and roles' inline policies). */
export function allIdentityStatements(template: Template): Statement[] {
  const fromPolicies = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
  );
  const fromRoles = Object.values(template.findResources('AWS::IAM::Role')).flatMap((role) =>
    asArray(role.Properties.Policies).flatMap((policy: { PolicyDocument: { Statement: Statement[] } }) => policy.PolicyDocument.Statement),
  );
  return [...fromPolicies, ...fromRoles];
}

/** The logical ids a CloudFormation value refers to (Ref and Fn::GetAtt), at any depth. */
export function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.Ref === 'string') ids.add(record.Ref);
      if (Array.isArray(record['Fn::GetAtt'])) ids.add(String(record['Fn::GetAtt'][0]));
      Object.values(record).forEach(visit);
    }
  };
  visit(value);
  return ids;
}

/** The actions `statements` allow on resources that refer to `resourceLogicalId`. */
export function actionsOn(statements: readonly Statement[], resourceLogicalId: string): string[] {
  return statements
    .filter((statement) => statement.Effect === 'Allow' && referencedIds(statement.Resource).has(resourceLogicalId))
    .flatMap((statement) => asArray(statement.Action))
    .sort();
}

/** The actions `statements` allow whose resource is a literal ARN containing `text`. */
export function actionsOnLiteral(statements: readonly Statement[], text: string): string[] {
  return statements
    .filter((statement) => statement.Effect === 'Allow' && JSON.stringify(statement.Resource ?? '').includes(text))
    .flatMap((statement) => asArray(statement.Action))
    .sort();
}
