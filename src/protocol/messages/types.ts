// Generated from the message specs by src/protocol/typegen.ts (npm run gen:types). Do not edit.

export interface ProduceRequestTopicProduceData {
  name: string;
  topicId: string;
  partitionData: ProduceRequestPartitionProduceData[];
}

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: ProduceRequestTopicProduceData[];
}

export interface ProduceRequestPartitionProduceData {
  index: number;
  records: Buffer | null;
}

export interface ProduceResponseLeaderIdAndEpoch {
  leaderId?: number;
  leaderEpoch?: number;
}

export interface ProduceResponsePartitionProduceResponse {
  index?: number;
  errorCode?: number;
  baseOffset?: bigint;
  logAppendTimeMs?: bigint;
  logStartOffset?: bigint;
  recordErrors?: ProduceResponseBatchIndexAndErrorMessage[];
  errorMessage?: string | null;
  currentLeader?: ProduceResponseLeaderIdAndEpoch;
}

export interface ProduceResponseTopicProduceResponse {
  name?: string;
  topicId?: string;
  partitionResponses?: ProduceResponsePartitionProduceResponse[];
}

export interface ProduceResponseNodeEndpoint {
  nodeId?: number;
  host?: string;
  port?: number;
  rack?: string | null;
}

export interface ProduceResponse {
  responses?: ProduceResponseTopicProduceResponse[];
  throttleTimeMs?: number;
  nodeEndpoints?: ProduceResponseNodeEndpoint[];
}

export interface ProduceResponseBatchIndexAndErrorMessage {
  batchIndex?: number;
  batchIndexErrorMessage?: string | null;
}

export interface FetchRequestFetchPartition {
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: bigint;
  lastFetchedEpoch: number;
  logStartOffset: bigint;
  partitionMaxBytes: number;
  replicaDirectoryId: string;
  highWatermark: bigint;
}

export interface FetchRequestFetchTopic {
  topic: string;
  topicId: string;
  partitions: FetchRequestFetchPartition[];
}

export interface FetchRequestForgottenTopic {
  topic: string;
  topicId: string;
  partitions: number[];
}

export interface FetchRequest {
  clusterId: string | null;
  replicaId: number;
  replicaState: FetchRequestReplicaState;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: FetchRequestFetchTopic[];
  forgottenTopicsData: FetchRequestForgottenTopic[];
  rackId: string;
}

export interface FetchRequestReplicaState {
  replicaId: number;
  replicaEpoch: bigint;
}

export interface FetchResponseLeaderIdAndEpoch {
  leaderId?: number;
  leaderEpoch?: number;
}

export interface FetchResponseSnapshotId {
  endOffset?: bigint;
  epoch?: number;
}

export interface FetchResponseAbortedTransaction {
  producerId?: bigint;
  firstOffset?: bigint;
}

export interface FetchResponsePartitionData {
  partitionIndex?: number;
  errorCode?: number;
  highWatermark?: bigint;
  lastStableOffset?: bigint;
  logStartOffset?: bigint;
  divergingEpoch?: FetchResponseEpochEndOffset;
  currentLeader?: FetchResponseLeaderIdAndEpoch;
  snapshotId?: FetchResponseSnapshotId;
  abortedTransactions?: FetchResponseAbortedTransaction[] | null;
  preferredReadReplica?: number;
  records?: Buffer | Buffer[] | null;
}

export interface FetchResponseFetchableTopicResponse {
  topic?: string;
  topicId?: string;
  partitions?: FetchResponsePartitionData[];
}

export interface FetchResponseNodeEndpoint {
  nodeId?: number;
  host?: string;
  port?: number;
  rack?: string | null;
}

export interface FetchResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  sessionId?: number;
  responses?: FetchResponseFetchableTopicResponse[];
  nodeEndpoints?: FetchResponseNodeEndpoint[];
}

export interface FetchResponseEpochEndOffset {
  epoch?: number;
  endOffset?: bigint;
}

export interface ListOffsetsRequestListOffsetsTopic {
  name: string;
  partitions: ListOffsetsRequestListOffsetsPartition[];
}

export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: ListOffsetsRequestListOffsetsTopic[];
  timeoutMs: number;
}

export interface ListOffsetsRequestListOffsetsPartition {
  partitionIndex: number;
  currentLeaderEpoch: number;
  timestamp: bigint;
  maxNumOffsets: number;
}

export interface ListOffsetsResponseListOffsetsTopicResponse {
  name?: string;
  partitions?: ListOffsetsResponseListOffsetsPartitionResponse[];
}

export interface ListOffsetsResponse {
  throttleTimeMs?: number;
  topics?: ListOffsetsResponseListOffsetsTopicResponse[];
}

export interface ListOffsetsResponseListOffsetsPartitionResponse {
  partitionIndex?: number;
  errorCode?: number;
  oldStyleOffsets?: bigint[];
  timestamp?: bigint;
  offset?: bigint;
  leaderEpoch?: number;
}

export interface MetadataRequest {
  topics: MetadataRequestTopic[] | null;
  allowAutoTopicCreation: boolean;
  includeClusterAuthorizedOperations: boolean;
  includeTopicAuthorizedOperations: boolean;
}

export interface MetadataRequestTopic {
  topicId: string;
  name: string | null;
}

export interface MetadataResponsePartition {
  errorCode?: number;
  partitionIndex?: number;
  leaderId?: number;
  leaderEpoch?: number;
  replicaNodes?: number[];
  isrNodes?: number[];
  offlineReplicas?: number[];
}

export interface MetadataResponseTopic {
  errorCode?: number;
  name?: string | null;
  topicId?: string;
  isInternal?: boolean;
  partitions?: MetadataResponsePartition[];
  topicAuthorizedOperations?: number;
}

export interface MetadataResponse {
  throttleTimeMs?: number;
  brokers?: MetadataResponseBroker[];
  clusterId?: string | null;
  controllerId?: number;
  topics?: MetadataResponseTopic[];
  clusterAuthorizedOperations?: number;
  errorCode?: number;
}

export interface MetadataResponseBroker {
  nodeId?: number;
  host?: string;
  port?: number;
  rack?: string | null;
}

export interface OffsetCommitRequestTopic {
  name: string;
  partitions: OffsetCommitRequestPartition[];
}

export interface OffsetCommitRequest {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: bigint;
  topics: OffsetCommitRequestTopic[];
}

export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  commitTimestamp: bigint;
  committedMetadata: string | null;
}

export interface OffsetCommitResponseTopic {
  name?: string;
  partitions?: OffsetCommitResponsePartition[];
}

export interface OffsetCommitResponse {
  throttleTimeMs?: number;
  topics?: OffsetCommitResponseTopic[];
}

export interface OffsetCommitResponsePartition {
  partitionIndex?: number;
  errorCode?: number;
}

export interface OffsetFetchRequestTopics {
  name: string;
  partitionIndexes: number[];
}

export interface OffsetFetchRequestGroup {
  groupId: string;
  memberId: string | null;
  memberEpoch: number;
  topics: OffsetFetchRequestTopics[] | null;
}

export interface OffsetFetchRequest {
  groupId: string;
  topics: OffsetFetchRequestTopic[] | null;
  groups: OffsetFetchRequestGroup[];
  requireStable: boolean;
}

export interface OffsetFetchRequestTopic {
  name: string;
  partitionIndexes: number[];
}

export interface OffsetFetchResponseTopic {
  name?: string;
  partitions?: OffsetFetchResponsePartition[];
}

export interface OffsetFetchResponsePartitions {
  partitionIndex?: number;
  committedOffset?: bigint;
  committedLeaderEpoch?: number;
  metadata?: string | null;
  errorCode?: number;
}

export interface OffsetFetchResponseTopics {
  name?: string;
  partitions?: OffsetFetchResponsePartitions[];
}

export interface OffsetFetchResponseGroup {
  groupId?: string;
  topics?: OffsetFetchResponseTopics[];
  errorCode?: number;
}

export interface OffsetFetchResponse {
  throttleTimeMs?: number;
  topics?: OffsetFetchResponseTopic[];
  errorCode?: number;
  groups?: OffsetFetchResponseGroup[];
}

export interface OffsetFetchResponsePartition {
  partitionIndex?: number;
  committedOffset?: bigint;
  committedLeaderEpoch?: number;
  metadata?: string | null;
  errorCode?: number;
}

export interface FindCoordinatorRequest {
  key: string;
  keyType: number;
  coordinatorKeys: string[];
}

export interface FindCoordinatorResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  errorMessage?: string | null;
  nodeId?: number;
  host?: string;
  port?: number;
  coordinators?: FindCoordinatorResponseCoordinator[];
}

export interface FindCoordinatorResponseCoordinator {
  key?: string;
  nodeId?: number;
  host?: string;
  port?: number;
  errorCode?: number;
  errorMessage?: string | null;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: JoinGroupRequestProtocol[];
  reason: string | null;
}

export interface JoinGroupRequestProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  generationId?: number;
  protocolType?: string | null;
  protocolName?: string | null;
  leader?: string;
  skipAssignment?: boolean;
  memberId?: string;
  members?: JoinGroupResponseMember[];
}

export interface JoinGroupResponseMember {
  memberId?: string;
  groupInstanceId?: string | null;
  metadata?: Buffer;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  throttleTimeMs?: number;
  errorCode?: number;
}

export interface LeaveGroupRequest {
  groupId: string;
  memberId: string;
  members: LeaveGroupRequestMemberIdentity[];
}

export interface LeaveGroupRequestMemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
  reason: string | null;
}

export interface LeaveGroupResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  members?: LeaveGroupResponseMemberResponse[];
}

export interface LeaveGroupResponseMemberResponse {
  memberId?: string;
  groupInstanceId?: string | null;
  errorCode?: number;
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: SyncGroupRequestAssignment[];
}

export interface SyncGroupRequestAssignment {
  memberId: string;
  assignment: Buffer;
}

export interface SyncGroupResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  protocolType?: string | null;
  protocolName?: string | null;
  assignment?: Buffer;
}

export interface DescribeGroupsRequest {
  groups: string[];
  includeAuthorizedOperations: boolean;
}

export interface DescribeGroupsResponseDescribedGroup {
  errorCode?: number;
  errorMessage?: string | null;
  groupId?: string;
  groupState?: string;
  protocolType?: string;
  protocolData?: string;
  members?: DescribeGroupsResponseDescribedGroupMember[];
  authorizedOperations?: number;
}

export interface DescribeGroupsResponse {
  throttleTimeMs?: number;
  groups?: DescribeGroupsResponseDescribedGroup[];
}

export interface DescribeGroupsResponseDescribedGroupMember {
  memberId?: string;
  groupInstanceId?: string | null;
  clientId?: string;
  clientHost?: string;
  memberMetadata?: Buffer;
  memberAssignment?: Buffer;
}

export interface ListGroupsRequest {
  statesFilter: string[];
  typesFilter: string[];
}

export interface ListGroupsResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  groups?: ListGroupsResponseListedGroup[];
}

export interface ListGroupsResponseListedGroup {
  groupId?: string;
  protocolType?: string;
  groupState?: string;
  groupType?: string;
}

export interface SaslHandshakeRequest {
  mechanism: string;
}

export interface SaslHandshakeResponse {
  errorCode?: number;
  mechanisms?: string[];
}

export interface ApiVersionsRequest {
  clientSoftwareName: string;
  clientSoftwareVersion: string;
}

export interface ApiVersionsResponseSupportedFeatureKey {
  name?: string;
  minVersion?: number;
  maxVersion?: number;
}

export interface ApiVersionsResponseFinalizedFeatureKey {
  name?: string;
  maxVersionLevel?: number;
  minVersionLevel?: number;
}

export interface ApiVersionsResponse {
  errorCode?: number;
  apiKeys?: ApiVersionsResponseApiVersion[];
  throttleTimeMs?: number;
  supportedFeatures?: ApiVersionsResponseSupportedFeatureKey[];
  finalizedFeaturesEpoch?: bigint;
  finalizedFeatures?: ApiVersionsResponseFinalizedFeatureKey[];
  zkMigrationReady?: boolean;
}

export interface ApiVersionsResponseApiVersion {
  apiKey?: number;
  minVersion?: number;
  maxVersion?: number;
}

export interface CreateTopicsRequestCreatableTopicConfig {
  name: string;
  value: string | null;
}

export interface CreateTopicsRequestCreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: CreateTopicsRequestCreatableReplicaAssignment[];
  configs: CreateTopicsRequestCreatableTopicConfig[];
}

export interface CreateTopicsRequest {
  topics: CreateTopicsRequestCreatableTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreateTopicsRequestCreatableReplicaAssignment {
  partitionIndex: number;
  brokerIds: number[];
}

export interface CreateTopicsResponseCreatableTopicResult {
  name?: string;
  topicId?: string;
  errorCode?: number;
  errorMessage?: string | null;
  topicConfigErrorCode?: number;
  numPartitions?: number;
  replicationFactor?: number;
  configs?: CreateTopicsResponseCreatableTopicConfigs[] | null;
}

export interface CreateTopicsResponse {
  throttleTimeMs?: number;
  topics?: CreateTopicsResponseCreatableTopicResult[];
}

export interface CreateTopicsResponseCreatableTopicConfigs {
  name?: string;
  value?: string | null;
  readOnly?: boolean;
  configSource?: number;
  isSensitive?: boolean;
}

export interface DeleteTopicsRequest {
  topics: DeleteTopicsRequestDeleteTopicState[];
  topicNames: string[];
  timeoutMs: number;
}

export interface DeleteTopicsRequestDeleteTopicState {
  name: string | null;
  topicId: string;
}

export interface DeleteTopicsResponse {
  throttleTimeMs?: number;
  responses?: DeleteTopicsResponseDeletableTopicResult[];
}

export interface DeleteTopicsResponseDeletableTopicResult {
  name?: string | null;
  topicId?: string;
  errorCode?: number;
  errorMessage?: string | null;
}

export interface DeleteRecordsRequestDeleteRecordsTopic {
  name: string;
  partitions: DeleteRecordsRequestDeleteRecordsPartition[];
}

export interface DeleteRecordsRequest {
  topics: DeleteRecordsRequestDeleteRecordsTopic[];
  timeoutMs: number;
}

export interface DeleteRecordsRequestDeleteRecordsPartition {
  partitionIndex: number;
  offset: bigint;
}

export interface DeleteRecordsResponseDeleteRecordsTopicResult {
  name?: string;
  partitions?: DeleteRecordsResponseDeleteRecordsPartitionResult[];
}

export interface DeleteRecordsResponse {
  throttleTimeMs?: number;
  topics?: DeleteRecordsResponseDeleteRecordsTopicResult[];
}

export interface DeleteRecordsResponseDeleteRecordsPartitionResult {
  partitionIndex?: number;
  lowWatermark?: bigint;
  errorCode?: number;
}

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: bigint;
  producerEpoch: number;
}

export interface InitProducerIdResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  producerId?: bigint;
  producerEpoch?: number;
}

export interface OffsetForLeaderEpochRequestOffsetForLeaderTopic {
  topic: string;
  partitions: OffsetForLeaderEpochRequestOffsetForLeaderPartition[];
}

export interface OffsetForLeaderEpochRequest {
  replicaId: number;
  topics: OffsetForLeaderEpochRequestOffsetForLeaderTopic[];
}

export interface OffsetForLeaderEpochRequestOffsetForLeaderPartition {
  partition: number;
  currentLeaderEpoch: number;
  leaderEpoch: number;
}

export interface OffsetForLeaderEpochResponseOffsetForLeaderTopicResult {
  topic?: string;
  partitions?: OffsetForLeaderEpochResponseEpochEndOffset[];
}

export interface OffsetForLeaderEpochResponse {
  throttleTimeMs?: number;
  topics?: OffsetForLeaderEpochResponseOffsetForLeaderTopicResult[];
}

export interface OffsetForLeaderEpochResponseEpochEndOffset {
  errorCode?: number;
  partition?: number;
  leaderEpoch?: number;
  endOffset?: bigint;
}

export interface DescribeAclsRequest {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

export interface DescribeAclsResponseDescribeAclsResource {
  resourceType?: number;
  resourceName?: string;
  patternType?: number;
  acls?: DescribeAclsResponseAclDescription[];
}

export interface DescribeAclsResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  errorMessage?: string | null;
  resources?: DescribeAclsResponseDescribeAclsResource[];
}

export interface DescribeAclsResponseAclDescription {
  principal?: string;
  host?: string;
  operation?: number;
  permissionType?: number;
}

export interface CreateAclsRequest {
  creations: CreateAclsRequestAclCreation[];
}

export interface CreateAclsRequestAclCreation {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export interface CreateAclsResponse {
  throttleTimeMs?: number;
  results?: CreateAclsResponseAclCreationResult[];
}

export interface CreateAclsResponseAclCreationResult {
  errorCode?: number;
  errorMessage?: string | null;
}

export interface DeleteAclsRequest {
  filters: DeleteAclsRequestDeleteAclsFilter[];
}

export interface DeleteAclsRequestDeleteAclsFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

export interface DeleteAclsResponseDeleteAclsFilterResult {
  errorCode?: number;
  errorMessage?: string | null;
  matchingAcls?: DeleteAclsResponseDeleteAclsMatchingAcl[];
}

export interface DeleteAclsResponse {
  throttleTimeMs?: number;
  filterResults?: DeleteAclsResponseDeleteAclsFilterResult[];
}

export interface DeleteAclsResponseDeleteAclsMatchingAcl {
  errorCode?: number;
  errorMessage?: string | null;
  resourceType?: number;
  resourceName?: string;
  patternType?: number;
  principal?: string;
  host?: string;
  operation?: number;
  permissionType?: number;
}

export interface DescribeConfigsRequest {
  resources: DescribeConfigsRequestDescribeConfigsResource[];
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

export interface DescribeConfigsRequestDescribeConfigsResource {
  resourceType: number;
  resourceName: string;
  configurationKeys: string[] | null;
}

export interface DescribeConfigsResponseDescribeConfigsResourceResult {
  name?: string;
  value?: string | null;
  readOnly?: boolean;
  isDefault?: boolean;
  configSource?: number;
  isSensitive?: boolean;
  synonyms?: DescribeConfigsResponseDescribeConfigsSynonym[];
  configType?: number;
  documentation?: string | null;
}

export interface DescribeConfigsResponseDescribeConfigsResult {
  errorCode?: number;
  errorMessage?: string | null;
  resourceType?: number;
  resourceName?: string;
  configs?: DescribeConfigsResponseDescribeConfigsResourceResult[];
}

export interface DescribeConfigsResponse {
  throttleTimeMs?: number;
  results?: DescribeConfigsResponseDescribeConfigsResult[];
}

export interface DescribeConfigsResponseDescribeConfigsSynonym {
  name?: string;
  value?: string | null;
  source?: number;
}

export interface AlterConfigsRequestAlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: AlterConfigsRequestAlterableConfig[];
}

export interface AlterConfigsRequest {
  resources: AlterConfigsRequestAlterConfigsResource[];
  validateOnly: boolean;
}

export interface AlterConfigsRequestAlterableConfig {
  name: string;
  value: string | null;
}

export interface AlterConfigsResponse {
  throttleTimeMs?: number;
  responses?: AlterConfigsResponseAlterConfigsResourceResponse[];
}

export interface AlterConfigsResponseAlterConfigsResourceResponse {
  errorCode?: number;
  errorMessage?: string | null;
  resourceType?: number;
  resourceName?: string;
}

export interface DescribeLogDirsRequest {
  topics: DescribeLogDirsRequestDescribableLogDirTopic[] | null;
}

export interface DescribeLogDirsRequestDescribableLogDirTopic {
  topic: string;
  partitions: number[];
}

export interface DescribeLogDirsResponseDescribeLogDirsTopic {
  name?: string;
  partitions?: DescribeLogDirsResponseDescribeLogDirsPartition[];
}

export interface DescribeLogDirsResponseDescribeLogDirsResult {
  errorCode?: number;
  logDir?: string;
  topics?: DescribeLogDirsResponseDescribeLogDirsTopic[];
  totalBytes?: bigint;
  usableBytes?: bigint;
}

export interface DescribeLogDirsResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  results?: DescribeLogDirsResponseDescribeLogDirsResult[];
}

export interface DescribeLogDirsResponseDescribeLogDirsPartition {
  partitionIndex?: number;
  partitionSize?: bigint;
  offsetLag?: bigint;
  isFutureKey?: boolean;
}

export interface SaslAuthenticateRequest {
  authBytes: Buffer;
}

export interface SaslAuthenticateResponse {
  errorCode?: number;
  errorMessage?: string | null;
  authBytes?: Buffer;
  sessionLifetimeMs?: bigint;
}

export interface CreatePartitionsRequestCreatePartitionsTopic {
  name: string;
  count: number;
  assignments: CreatePartitionsRequestCreatePartitionsAssignment[] | null;
}

export interface CreatePartitionsRequest {
  topics: CreatePartitionsRequestCreatePartitionsTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatePartitionsRequestCreatePartitionsAssignment {
  brokerIds: number[];
}

export interface CreatePartitionsResponse {
  throttleTimeMs?: number;
  results?: CreatePartitionsResponseCreatePartitionsTopicResult[];
}

export interface CreatePartitionsResponseCreatePartitionsTopicResult {
  name?: string;
  errorCode?: number;
  errorMessage?: string | null;
}

export interface DeleteGroupsRequest {
  groupsNames: string[];
}

export interface DeleteGroupsResponse {
  throttleTimeMs?: number;
  results?: DeleteGroupsResponseDeletableGroupResult[];
}

export interface DeleteGroupsResponseDeletableGroupResult {
  groupId?: string;
  errorCode?: number;
}

export interface IncrementalAlterConfigsRequestAlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: IncrementalAlterConfigsRequestAlterableConfig[];
}

export interface IncrementalAlterConfigsRequest {
  resources: IncrementalAlterConfigsRequestAlterConfigsResource[];
  validateOnly: boolean;
}

export interface IncrementalAlterConfigsRequestAlterableConfig {
  name: string;
  configOperation: number;
  value: string | null;
}

export interface IncrementalAlterConfigsResponse {
  throttleTimeMs?: number;
  responses?: IncrementalAlterConfigsResponseAlterConfigsResourceResponse[];
}

export interface IncrementalAlterConfigsResponseAlterConfigsResourceResponse {
  errorCode?: number;
  errorMessage?: string | null;
  resourceType?: number;
  resourceName?: string;
}

export interface AlterPartitionReassignmentsRequestReassignableTopic {
  name: string;
  partitions: AlterPartitionReassignmentsRequestReassignablePartition[];
}

export interface AlterPartitionReassignmentsRequest {
  timeoutMs: number;
  allowReplicationFactorChange: boolean;
  topics: AlterPartitionReassignmentsRequestReassignableTopic[];
}

export interface AlterPartitionReassignmentsRequestReassignablePartition {
  partitionIndex: number;
  replicas: number[] | null;
}

export interface AlterPartitionReassignmentsResponseReassignableTopicResponse {
  name?: string;
  partitions?: AlterPartitionReassignmentsResponseReassignablePartitionResponse[];
}

export interface AlterPartitionReassignmentsResponse {
  throttleTimeMs?: number;
  allowReplicationFactorChange?: boolean;
  errorCode?: number;
  errorMessage?: string | null;
  responses?: AlterPartitionReassignmentsResponseReassignableTopicResponse[];
}

export interface AlterPartitionReassignmentsResponseReassignablePartitionResponse {
  partitionIndex?: number;
  errorCode?: number;
  errorMessage?: string | null;
}

export interface ListPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: ListPartitionReassignmentsRequestListPartitionReassignmentsTopics[] | null;
}

export interface ListPartitionReassignmentsRequestListPartitionReassignmentsTopics {
  name: string;
  partitionIndexes: number[];
}

export interface ListPartitionReassignmentsResponseOngoingTopicReassignment {
  name?: string;
  partitions?: ListPartitionReassignmentsResponseOngoingPartitionReassignment[];
}

export interface ListPartitionReassignmentsResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  errorMessage?: string | null;
  topics?: ListPartitionReassignmentsResponseOngoingTopicReassignment[];
}

export interface ListPartitionReassignmentsResponseOngoingPartitionReassignment {
  partitionIndex?: number;
  replicas?: number[];
  addingReplicas?: number[];
  removingReplicas?: number[];
}

export interface OffsetDeleteRequestTopic {
  name: string;
  partitions: OffsetDeleteRequestPartition[];
}

export interface OffsetDeleteRequest {
  groupId: string;
  topics: OffsetDeleteRequestTopic[];
}

export interface OffsetDeleteRequestPartition {
  partitionIndex: number;
}

export interface OffsetDeleteResponseTopic {
  name?: string;
  partitions?: OffsetDeleteResponsePartition[];
}

export interface OffsetDeleteResponse {
  errorCode?: number;
  throttleTimeMs?: number;
  topics?: OffsetDeleteResponseTopic[];
}

export interface OffsetDeleteResponsePartition {
  partitionIndex?: number;
  errorCode?: number;
}

export interface DescribeUserScramCredentialsRequest {
  users: DescribeUserScramCredentialsRequestUserName[] | null;
}

export interface DescribeUserScramCredentialsRequestUserName {
  name: string;
}

export interface DescribeUserScramCredentialsResponseDescribeUserScramCredentialsResult {
  user?: string;
  errorCode?: number;
  errorMessage?: string | null;
  credentialInfos?: DescribeUserScramCredentialsResponseCredentialInfo[];
}

export interface DescribeUserScramCredentialsResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  errorMessage?: string | null;
  results?: DescribeUserScramCredentialsResponseDescribeUserScramCredentialsResult[];
}

export interface DescribeUserScramCredentialsResponseCredentialInfo {
  mechanism?: number;
  iterations?: number;
}

export interface AlterUserScramCredentialsRequestScramCredentialUpsertion {
  name: string;
  mechanism: number;
  iterations: number;
  salt: Buffer;
  saltedPassword: Buffer;
}

export interface AlterUserScramCredentialsRequest {
  deletions: AlterUserScramCredentialsRequestScramCredentialDeletion[];
  upsertions: AlterUserScramCredentialsRequestScramCredentialUpsertion[];
}

export interface AlterUserScramCredentialsRequestScramCredentialDeletion {
  name: string;
  mechanism: number;
}

export interface AlterUserScramCredentialsResponse {
  throttleTimeMs?: number;
  results?: AlterUserScramCredentialsResponseAlterUserScramCredentialsResult[];
}

export interface AlterUserScramCredentialsResponseAlterUserScramCredentialsResult {
  user?: string;
  errorCode?: number;
  errorMessage?: string | null;
}

export interface DescribeClusterRequest {
  includeClusterAuthorizedOperations: boolean;
  endpointType: number;
  includeFencedBrokers: boolean;
}

export interface DescribeClusterResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  errorMessage?: string | null;
  endpointType?: number;
  clusterId?: string;
  controllerId?: number;
  brokers?: DescribeClusterResponseDescribeClusterBroker[];
  clusterAuthorizedOperations?: number;
}

export interface DescribeClusterResponseDescribeClusterBroker {
  brokerId?: number;
  host?: string;
  port?: number;
  rack?: string | null;
  isFenced?: boolean;
}

export interface DescribeTopicPartitionsRequestCursor {
  topicName: string;
  partitionIndex: number;
}

export interface DescribeTopicPartitionsRequest {
  topics: DescribeTopicPartitionsRequestTopicRequest[];
  responsePartitionLimit: number;
  cursor: DescribeTopicPartitionsRequestCursor | null;
}

export interface DescribeTopicPartitionsRequestTopicRequest {
  name: string;
}

export interface DescribeTopicPartitionsResponseTopic {
  errorCode?: number;
  name?: string | null;
  topicId?: string;
  isInternal?: boolean;
  partitions?: DescribeTopicPartitionsResponsePartition[];
  topicAuthorizedOperations?: number;
}

export interface DescribeTopicPartitionsResponseCursor {
  topicName?: string;
  partitionIndex?: number;
}

export interface DescribeTopicPartitionsResponse {
  throttleTimeMs?: number;
  topics?: DescribeTopicPartitionsResponseTopic[];
  nextCursor?: DescribeTopicPartitionsResponseCursor | null;
}

export interface DescribeTopicPartitionsResponsePartition {
  errorCode?: number;
  partitionIndex?: number;
  leaderId?: number;
  leaderEpoch?: number;
  replicaNodes?: number[];
  isrNodes?: number[];
  eligibleLeaderReplicas?: number[] | null;
  lastKnownElr?: number[] | null;
  offlineReplicas?: number[];
}

