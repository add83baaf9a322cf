import { anonymousPrincipal, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

/*
 * The synthesized template, made concrete for an IAM policy engine: every Ref, Fn::GetAtt and
 * Fn::Join resolved to the ARN or name the resource would have in ACCOUNT / REGION, and the
 * policies of each kind collected, so that @cloud-copilot/iam-simulate can evaluate a request as
 * AWS would (identity policies, resource policies, explicit denies, cross-account rules).
 */

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';
export const FOREIGN_ACCOUNT = '333333333333';
export const REGION = 'eu-west-1';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation is free-form JSON
type Policy = { Version: string; Statement: Json[] };

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'TestStack',
};

export class ConcreteTemplate {
  private readonly resources: Record<string, Json>;

  constructor(template: Json) {
    this.resources = template.Resources;
  }

  /** `value` with every intrinsic function resolved; throws on one this resolver does not know. */
  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    if ('Ref' in value) return this.ref(value.Ref);
    if ('Fn::GetAtt' in value) return this.attribute(value['Fn::GetAtt'][0], value['Fn::GetAtt'][1]);
    if ('Fn::Join' in value) return (this.resolve(value['Fn::Join'][1]) as string[]).join(value['Fn::Join'][0]);
    const intrinsic = Object.keys(value).find((key) => key.startsWith('Fn::'));
    if (intrinsic) throw new Error(`Cannot resolve ${intrinsic}`);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item)]));
  }

  /** The physical name a Ref to `id` gives. */
  ref(id: string): string {
    if (PSEUDO[id]) return PSEUDO[id];
    const resource = this.resources[id];
    if (!resource) throw new Error(`No resource ${id}`);
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
        return resource.Properties?.BucketName ? this.resolve(resource.Properties.BucketName) : id.toLowerCase();
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`;
      default:
        return id;
    }
  }

  attribute(id: string, name: string): string {
    const type = this.resources[id]?.Type;
    if (name === 'Arn') {
      switch (type) {
        case 'AWS::S3::Bucket':
          return `arn:aws:s3:::${this.ref(id)}`;
        case 'AWS::IAM::Role':
          return `arn:aws:iam::${ACCOUNT}:role/${id}`;
        case 'AWS::SQS::Queue':
          return `arn:aws:sqs:${REGION}:${ACCOUNT}:${id}`;
        case 'AWS::KMS::Key':
          return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
        case 'AWS::Logs::LogGroup':
          return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${id}:*`;
        case 'AWS::Lambda::Function':
          return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
      }
    }
    if (type === 'AWS::SQS::Queue' && name === 'QueueName') return id;
    throw new Error(`Cannot resolve ${id}.${name} (${type})`);
  }

  /** The identity policies of the role `roleId`: attached AWS::IAM::Policy documents and inline policies. */
  identityPolicies(roleId: string): { name: string; policy: Policy }[] {
    const attached = Object.entries(this.resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles ?? []).some((role: Json) => role.Ref === roleId))
      .map(([id, r]) => ({ name: id, policy: this.resolve(r.Properties.PolicyDocument) }));
    const inline = (this.resources[roleId].Properties.Policies ?? []).map((p: Json) => ({ name: p.PolicyName, policy: this.resolve(p.PolicyDocument) }));
    if (this.resources[roleId].Properties.ManagedPolicyArns) throw new Error(`${roleId} has managed policies this test cannot see`);
    return [...attached, ...inline];
  }

  /** The trust policy of the role `roleId`. */
  trustPolicy(roleId: string): Policy {
    return this.resolve(this.resources[roleId].Properties.AssumeRolePolicyDocument);
  }

  /** The bucket policy of `bucketId`, if any. */
  bucketPolicy(bucketId: string): Policy | undefined {
    const found = Object.values(this.resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === bucketId);
    return found ? this.resolve(found.Properties.PolicyDocument) : undefined;
  }

  /** The queue policy naming `queueId`, if any. */
  queuePolicy(queueId: string): Policy | undefined {
    const found = Object.values(this.resources).filter(
      (r) => r.Type === 'AWS::SQS::QueuePolicy' && r.Properties.Queues.some((q: Json) => q.Ref === queueId),
    );
    if (found.length > 1) throw new Error(`${queueId} has ${found.length} queue policies`);
    return found[0] ? this.resolve(found[0].Properties.PolicyDocument) : undefined;
  }

  /** The key policy of `keyId`. */
  keyPolicy(keyId: string): Policy {
    return this.resolve(this.resources[keyId].Properties.KeyPolicy);
  }
}

/** Who makes a request. */
export interface Caller {
  readonly name: string;
  /** The principal as the engine sees it: a session ARN, a user ARN, a service, or anonymous. */
  readonly principal: string | typeof anonymousPrincipal;
  readonly identityPolicies: { name: string; policy: Policy }[];
  /** Request context the caller brings: aws:PrincipalArn, tags, aws:SourceArn for services... */
  readonly context: Record<string, string | string[]>;
}

export interface Request {
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly resourcePolicy: Policy | undefined;
  readonly tls: boolean;
  readonly context?: Record<string, string | string[]>;
}

/** The engine's decision: 'Allowed', 'ExplicitlyDenied' or 'ImplicitlyDenied'. Throws on an input the engine refuses. */
export async function decide(caller: Caller, request: Request): Promise<string> {
  const simulation: Simulation = {
    request: {
      principal: caller.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: { ...caller.context, ...request.context, 'aws:SecureTransport': String(request.tls) },
    },
    identityPolicies: caller.identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`${caller.name} ${request.action} ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** A role session of `roleArn`, as the engine and the condition keys see it. */
export function roleSession(name: string, roleArn: string, identityPolicies: Caller['identityPolicies'], tags: Record<string, string> = {}): Caller {
  const [, , , , account, resource] = roleArn.split(':');
  const roleName = resource.split('/').pop();
  return {
    name,
    principal: `arn:aws:sts::${account}:assumed-role/${roleName}/session`,
    identityPolicies,
    context: {
      'aws:PrincipalArn': roleArn,
      'aws:PrincipalAccount': account,
      ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:PrincipalTag/${key}`, value])),
    },
  };
}

/** An identity policy allowing `actions` on every resource. */
export function allowAll(name: string, actions: string[]): { name: string; policy: Policy } {
  return { name, policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] } };
}

export { anonymousPrincipal };
