// Public API of the catalog data module: assets, policy definitions, contract definitions, criteria and services.
export type { Asset, AssetInput, AssetStore, PropertyMap, SqlAssetStoreOptions } from './asset-store';
export { createSqlAssetStore, assetFieldTexts, resolveAssetOperand } from './asset-store';
export type { PolicyDefinition, PolicyDefinitionInput, PolicyDefinitionStore, SqlPolicyDefinitionStoreOptions } from './policy-definition-store';
export { createSqlPolicyDefinitionStore } from './policy-definition-store';
export type { ContractDefinition, ContractDefinitionInput, ContractDefinitionStore, SqlContractDefinitionStoreOptions } from './contract-definition-store';
export { createSqlContractDefinitionStore, selectAssets } from './contract-definition-store';
export type { Criterion, CriterionOperator, CriterionScalar, CriterionValue, OperandPath } from './criteria';
export { CRITERION_OPERATORS, matchesTexts, parseCriterion, valueTexts } from './criteria';
export * from './vocabulary';
export type { QuerySpec } from '../management/query-spec';
export { querySpec } from '../management/query-spec';
export type { ActionContext, CatalogDataService, CatalogDataServiceDeps, PolicyValidation } from './catalog-data-service';
export { createCatalogDataService } from './catalog-data-service';
